"""Quality measures and leave-one-document-out cross-validation.

Every number stanceclf publishes comes from :func:`leave_one_document_out`:
each seed document is held out whole, with its translations, and the model is
trained on everything else the chosen ingredients offer (supplementary
sentences are training-only). Only real seed sentences are scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .corpus import INGREDIENTS, Example, build_training_set

__all__ = [
    "quality_report",
    "expected_calibration_error",
    "reliability_bins",
    "bootstrap_macro_f1",
    "leave_one_document_out",
    "CrossValidationResult",
]


def reliability_bins(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str], n_bins: int = 10) -> list[dict]:
    """Accuracy against top-label confidence in equal-width bins: a reliability diagram's points.

    Parameters
    ----------
    y_true : sequence of str
    proba : ndarray of shape (n, len(classes))
    classes : sequence of str
        The label of each column of ``proba``.
    n_bins : int, default=10

    Returns
    -------
    list of dict
        One per non-empty bin: ``low``, ``high`` (the bin's confidence range),
        ``n``, ``confidence`` (mean top-label probability) and ``accuracy``.

    Examples
    --------
    >>> import numpy as np
    >>> reliability_bins(["a", "a"], np.array([[0.75, 0.25], [0.25, 0.75]]), ["a", "b"], n_bins=5)
    [{'low': 0.6, 'high': 0.8, 'n': 2, 'confidence': 0.75, 'accuracy': 0.5}]
    """
    classes = list(classes)
    proba = np.asarray(proba, dtype=float)
    if len(y_true) == 0:
        return []
    confidence = proba.max(axis=1)
    correct = np.asarray([classes[k] == t for k, t in zip(proba.argmax(axis=1), y_true)], dtype=float)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    return [
        {
            "low": round(b / n_bins, 10),
            "high": round((b + 1) / n_bins, 10),
            "n": int((bins == b).sum()),
            "confidence": float(confidence[bins == b].mean()),
            "accuracy": float(correct[bins == b].mean()),
        }
        for b in range(n_bins)
        if (bins == b).any()
    ]


def expected_calibration_error(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str], n_bins: int = 10) -> float:
    """Expected calibration error of the top-label confidence (equal-width bins)."""
    if len(y_true) == 0:
        return float("nan")
    return float(
        sum(b["n"] * abs(b["accuracy"] - b["confidence"]) for b in reliability_bins(y_true, proba, classes, n_bins))
        / len(y_true)
    )


def bootstrap_macro_f1(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    baseline: Sequence[str] | None = None,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> dict:
    """Percentile bootstrap confidence interval of macro-F1, resampling sentences.

    Sentences are drawn with replacement ``n_resamples`` times; macro-F1 is
    computed as in :func:`quality_report` (over the labels present in each
    resample) and the interval is the central ``confidence`` share of the
    resampled values. Sentences of one document are not independent, so the
    interval understates the spread to expect on new documents.

    Parameters
    ----------
    y_true, y_pred : sequence of str
    baseline : sequence of str, optional
        Another system's predictions of the same sentences: the interval of
        the difference ``macro_f1(y_pred) - macro_f1(baseline)`` is added,
        from the same resamples (a paired bootstrap).
    n_resamples : int, default=2000
    confidence : float, default=0.95
    random_state : int, default=0

    Returns
    -------
    dict
        ``macro_f1`` (on all sentences), ``low``, ``high``, ``confidence``,
        ``n_resamples``, ``method``; with ``baseline`` also ``difference``,
        ``difference_low`` and ``difference_high``.

    Examples
    --------
    >>> ci = bootstrap_macro_f1(["a", "b", "b", "a"], ["a", "b", "a", "a"], n_resamples=200)
    >>> ci["low"] <= ci["macro_f1"] <= ci["high"]
    True
    """
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 1:
        raise ValueError(f"The 'n_resamples' parameter of bootstrap_macro_f1 must be an int >= 1. Got {n_resamples!r} instead.")
    if not 0 < confidence < 1:
        raise ValueError(f"The 'confidence' parameter of bootstrap_macro_f1 must be a float in (0, 1). Got {confidence!r} instead.")
    systems = [list(map(str, y_pred))] + ([list(map(str, baseline))] if baseline is not None else [])
    y_true = [str(t) for t in y_true]
    if any(len(s) != len(y_true) for s in systems) or not y_true:
        raise ValueError(
            f"bootstrap_macro_f1 needs as many predictions as true labels, at least one. "
            f"Got {len(y_true)} labels and {[len(s) for s in systems]} predictions instead."
        )
    labels = sorted(set(y_true).union(*systems))
    code = {label: k for k, label in enumerate(labels)}
    truth = np.asarray([code[t] for t in y_true])
    rng = np.random.default_rng(random_state)
    samples = rng.integers(0, len(truth), size=(n_resamples, len(truth)))
    alpha = (1 - confidence) / 2
    result: dict = {
        "confidence": confidence,
        "n_resamples": n_resamples,
        "method": "percentile bootstrap over sentences of the pooled out-of-fold predictions",
    }
    scores = []
    for predictions in systems:
        predicted = np.asarray([code[p] for p in predictions])
        full = _macro_f1_rows(truth[None, :], predicted[None, :], len(labels))[0]
        resampled = _macro_f1_rows(truth[samples], predicted[samples], len(labels))
        scores.append((full, resampled))
    (full, resampled) = scores[0]
    result.update(macro_f1=float(full), low=float(np.quantile(resampled, alpha)), high=float(np.quantile(resampled, 1 - alpha)))
    if baseline is not None:
        difference = resampled - scores[1][1]
        result.update(
            difference=float(full - scores[1][0]),
            difference_low=float(np.quantile(difference, alpha)),
            difference_high=float(np.quantile(difference, 1 - alpha)),
        )
    return result


def _macro_f1_rows(truth: np.ndarray, predicted: np.ndarray, n_labels: int) -> np.ndarray:
    # Row-wise macro-F1 over the labels present in each row's truth, vectorised
    # over resamples; the same definition as quality_report.
    f1_sum = np.zeros(truth.shape[0])
    present = np.zeros(truth.shape[0])
    for label in range(n_labels):
        is_true, is_pred = truth == label, predicted == label
        tp = np.sum(is_true & is_pred, axis=1)
        denominator = is_true.sum(axis=1) + is_pred.sum(axis=1)
        f1_sum += np.divide(2 * tp, denominator, out=np.zeros(len(tp)), where=denominator > 0)
        present += is_true.any(axis=1)
    return f1_sum / present


def quality_report(
    y_true: Sequence[str], y_pred: Sequence[str], proba: np.ndarray | None = None, classes: Sequence[str] | None = None
) -> dict:
    """Macro-F1, accuracy, per-label precision/recall/F1, confusion and calibration.

    Parameters
    ----------
    y_true, y_pred : sequence of str
    proba : ndarray, optional
        Class probabilities (columns in ``classes`` order) for the Brier score
        and expected calibration error.
    classes : sequence of str, optional
        The label order of ``proba`` and of the confusion matrix; defaults to
        the sorted union of the labels seen.

    Returns
    -------
    dict
        Keys ``n``, ``macro_f1``, ``accuracy``, ``labels``, ``per_label``
        (precision, recall, f1, support per label), ``confusion`` (rows true,
        columns predicted, in ``labels`` order) and, with ``proba``, ``brier``
        and ``ece``. ``macro_f1`` averages over the labels present in
        ``y_true`` only, so a test set without some label is not punished
        for it.

    Examples
    --------
    >>> quality_report(["a", "b", "b"], ["a", "b", "a"])["accuracy"]
    0.6666666666666666
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y_true = [str(t) for t in y_true]
    y_pred = [str(p) for p in y_pred]
    labels = [str(c) for c in classes] if classes is not None else sorted(set(y_true) | set(y_pred))
    present = [label for label in labels if label in set(y_true)]
    report: dict = {"n": len(y_true), "labels": labels}
    if not y_true:
        return {**report, "macro_f1": float("nan"), "accuracy": float("nan"), "per_label": {}, "confusion": []}
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    report["macro_f1"] = float(np.mean([f1[labels.index(label)] for label in present]))
    report["accuracy"] = float(np.mean([t == p for t, p in zip(y_true, y_pred)]))
    report["per_label"] = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }
    report["confusion"] = confusion_matrix(y_true, y_pred, labels=labels).tolist()
    if proba is not None:
        onehot = np.asarray([[float(t == c) for c in labels] for t in y_true])
        report["brier"] = float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
        report["ece"] = expected_calibration_error(y_true, proba, labels)
    return report


@dataclass
class CrossValidationResult:
    """Pooled out-of-fold predictions of a leave-one-document-out run.

    Attributes
    ----------
    examples : list of Example
        The scored seed sentences, in fold order.
    predicted : list of str
    proba : ndarray
        Out-of-fold probabilities, columns in ``classes`` order.
    classes : list of str
    n_train : list of int
        The number of training sentences of each fold, in fold order.
    """

    examples: list[Example]
    predicted: list[str]
    proba: np.ndarray
    classes: list[str]
    n_train: list[int] = field(default_factory=list)

    def report(self, *, lang: str | None = None, doc: str | None = None) -> dict:
        """Quality measures over all scored sentences, or one language or document."""
        keep = [
            i for i, e in enumerate(self.examples)
            if (lang is None or e.lang == lang) and (doc is None or e.doc == doc)
        ]
        return quality_report(
            [self.examples[i].label for i in keep],
            [self.predicted[i] for i in keep],
            self.proba[keep] if keep else np.empty((0, len(self.classes))),
            self.classes,
        )


def leave_one_document_out(
    make_model: Callable[[], object],
    ingredients: Iterable[str] = INGREDIENTS,
    *,
    progress: Callable[[str], None] | None = None,
    train_fraction: float = 1.0,
    random_state: int = 0,
) -> CrossValidationResult:
    """Hold out each seed document in turn, train on the rest, score the held-out sentences.

    Parameters
    ----------
    make_model : callable
        Returns a fresh unfitted estimator with ``fit``/``predict_proba``/``classes_``.
    ingredients : iterable of str
        Training material (see :func:`stanceclf.corpus.build_training_set`).
        The held-out document's own translations are always left out.
    progress : callable, optional
        Called with a short message before each fold.
    train_fraction : float, default=1.0
        Train on a random stratified share of each training fold (learning curves).
    """
    from .corpus import load_annotations

    ingredients = list(ingredients)
    tests = [
        Example(r["text"], r["label"], r["doc"], r["lang"], "seeds")
        for r in load_annotations()
        if r["label"] != "skip"
    ]
    docs = sorted({e.doc for e in tests})
    all_labels = sorted({e.label for e in tests} | {e.label for e in build_training_set(ingredients)})
    scored: list[Example] = []
    predicted: list[str] = []
    probas: list[np.ndarray] = []
    n_train: list[int] = []
    rng = np.random.default_rng(random_state)
    for number, doc in enumerate(docs, start=1):
        if progress is not None:
            progress(f"fold {number}/{len(docs)}: holding out {doc}")
        train = build_training_set(ingredients, exclude_docs=[doc])
        if train_fraction < 1.0:
            train = _stratified_share(train, train_fraction, rng)
        n_train.append(len(train))
        model = make_model()
        model.fit([e.text for e in train], [e.label for e in train])
        test = [e for e in tests if e.doc == doc]
        proba = np.asarray(model.predict_proba([e.text for e in test]))
        # A fold whose training lacks a label predicts it with probability 0.
        full = np.zeros((len(test), len(all_labels)))
        for k, cls in enumerate(model.classes_):
            full[:, all_labels.index(str(cls))] = proba[:, k]
        scored.extend(test)
        probas.append(full)
        predicted.extend(all_labels[k] for k in full.argmax(axis=1))
    return CrossValidationResult(scored, predicted, np.vstack(probas), all_labels, n_train)


def _stratified_share(examples: list[Example], fraction: float, rng: np.random.Generator) -> list[Example]:
    chosen: list[Example] = []
    for label in sorted({e.label for e in examples}):
        members = [e for e in examples if e.label == label]
        k = max(2, int(round(fraction * len(members))))
        picks = rng.choice(len(members), size=min(k, len(members)), replace=False)
        chosen.extend(members[i] for i in sorted(picks))
    return chosen
