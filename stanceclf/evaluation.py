"""Quality measures and leave-one-document-out cross-validation.

Every number stanceclf publishes comes from :func:`leave_one_document_out`:
each seed document is held out whole, with its translations, and the model is
trained on everything else the chosen ingredients offer (supplementary
sentences are training-only). Only real seed sentences are scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .corpus import INGREDIENTS, Example, build_training_set

__all__ = ["quality_report", "expected_calibration_error", "leave_one_document_out", "CrossValidationResult"]


def expected_calibration_error(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str], n_bins: int = 10) -> float:
    """Expected calibration error of the top-label confidence (equal-width bins)."""
    if len(y_true) == 0:
        return float("nan")
    classes = list(classes)
    confidence = proba.max(axis=1)
    correct = np.asarray([classes[k] == t for k, t in zip(proba.argmax(axis=1), y_true)], dtype=float)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


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
    """

    examples: list[Example]
    predicted: list[str]
    proba: np.ndarray
    classes: list[str]

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
    rng = np.random.default_rng(random_state)
    for number, doc in enumerate(docs, start=1):
        if progress is not None:
            progress(f"fold {number}/{len(docs)}: holding out {doc}")
        train = build_training_set(ingredients, exclude_docs=[doc])
        if train_fraction < 1.0:
            train = _stratified_share(train, train_fraction, rng)
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
    return CrossValidationResult(scored, predicted, np.vstack(probas), all_labels)


def _stratified_share(examples: list[Example], fraction: float, rng: np.random.Generator) -> list[Example]:
    chosen: list[Example] = []
    for label in sorted({e.label for e in examples}):
        members = [e for e in examples if e.label == label]
        k = max(2, int(round(fraction * len(members))))
        picks = rng.choice(len(members), size=min(k, len(members)), replace=False)
        chosen.extend(members[i] for i in sorted(picks))
    return chosen
