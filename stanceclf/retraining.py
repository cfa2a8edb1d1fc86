"""Training on your own labels: validation, cross-validation, model search and comparison.

:func:`train_from_labels` is what ``stanceclf train --data`` runs: it reads
and validates the files (see :mod:`stanceclf.labels`), optionally adds the
shipped seed corpus, measures the model by cross-validation (grouped by
``doc`` when the records have one, so a document never sits on both sides of
a fold; stratified by label otherwise), optionally chooses the model family,
regularisation strength and n-gram settings by that same cross-validation,
and fits the final model on everything.

:func:`compare_models` scores several models on one labelled file and lists
the sentences on which they disagree.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corpus import SKIP, build_training_set, examples_sha256
from .evaluation import quality_report
from .labels import LabelledData, LabelledText, LabelProblem, LabelProblems, _key, _load, label_count_problems
from .persistence import params_to_card
from .model import StanceClassifier
from .training import DEFAULT_INGREDIENTS, DEFAULT_PARAMS

__all__ = [
    "SEARCH_FEATURES",
    "SEARCH_CLASSIFIERS",
    "TrainingData",
    "SearchResult",
    "load_training_data",
    "cross_validate_labels",
    "search_settings",
    "train_from_labels",
    "evaluate_model",
    "compare_models",
]

N_FOLDS = 5

# The n-gram settings and classifiers `--search` tries: every pair of them.
SEARCH_FEATURES: tuple[dict, ...] = (
    {"features": "char", "char_ngram_range": (1, 4)},
    {"features": "word", "word_ngram_range": (1, 2)},
    {"features": "word+char", "word_ngram_range": (1, 2), "char_ngram_range": (1, 4)},
)
SEARCH_CLASSIFIERS: tuple[dict, ...] = (
    {"classifier": "logreg", "C": 1.0},
    {"classifier": "logreg", "C": 10.0},
    {"classifier": "svm", "C": 0.1},
    {"classifier": "svm", "C": 1.0},
    {"classifier": "nb", "alpha": 0.1},
    {"classifier": "nb", "alpha": 1.0},
    {"classifier": "sgd", "alpha": 0.1},
    {"classifier": "sgd", "alpha": 1.0},
)
# StanceClassifier parameters that configure only its final linear model;
# every other parameter shapes the features, which a search computes once per
# fold and setting and shares between classifiers.
_CLASSIFIER_PARAMS = frozenset({"classifier", "C", "alpha", "class_weight", "random_state"})


@dataclass
class TrainingData:
    """Validated labelled records and the training-only material added to them.

    Attributes
    ----------
    labelled : LabelledData
        Your records: cross-validation folds are made of these, and only they are scored.
    extra : list of LabelledText
        The seed corpus with ``with_seeds``: in every fold's training data, never scored.
    seed_ingredients : list of str
    seeds_overridden : int
        Seed sentences left out because your data labels the same text.
    """

    labelled: LabelledData
    extra: list[LabelledText] = field(default_factory=list)
    seed_ingredients: list[str] = field(default_factory=list)
    seeds_overridden: int = 0

    @property
    def all_records(self) -> list[LabelledText]:
        return [*self.labelled.records, *self.extra]

    def describe(self) -> dict:
        """The model card's ``training_data``."""
        everything = self.all_records
        return {
            "labelled": self.labelled.summary(),
            "seeds": (
                {"ingredients": self.seed_ingredients, "n_sentences": len(self.extra), "overridden_by_your_labels": self.seeds_overridden}
                if self.seed_ingredients else None
            ),
            "n_sentences": len(everything),
            "per_label": dict(sorted(Counter(r.label for r in everything).items())),
            "sha256": examples_sha256(everything),
        }


@dataclass
class SearchResult:
    """The outcome of :func:`search_settings`.

    Attributes
    ----------
    best_params : dict
        StanceClassifier parameters of the best configuration.
    best_report : dict
        Its cross-validated :func:`~stanceclf.quality_report`.
    ranking : list of dict
        Every configuration tried (``settings``, ``macro_f1``, ``accuracy``,
        ``brier``), best first.
    protocol : dict
        Folds, grouping and random seed.
    seconds : float
    """

    best_params: dict
    best_report: dict
    ranking: list[dict]
    protocol: dict
    seconds: float


# -- data -------------------------------------------------------------------------------


def _seed_records(ingredients: Sequence[str]) -> list[LabelledText]:
    return [
        LabelledText(e.text, e.label, f"seeds/{e.source}", {"lang": e.lang, "ingredient": e.source})
        for e in build_training_set(ingredients)
    ]


def _groups(records: Sequence[LabelledText]) -> list[str] | None:
    docs = [r.doc for r in records]
    if not any(docs):
        return None
    # A record without a doc is a document of its own.
    return [doc if doc is not None else f"\0{i}" for i, doc in enumerate(docs)]


def _fold_problems(records: Sequence[LabelledText]) -> list[LabelProblem]:
    groups = _groups(records)
    if groups is None or not records:
        return []
    n_groups = len(set(groups))
    if n_groups < 2:
        files = ", ".join(dict.fromkeys(r.source.rpartition(":")[0] for r in records))
        return [LabelProblem(files, f"every record has the same 'doc' ({records[0].doc!r}); grouped cross-validation needs at least 2 documents")]
    return []


def load_training_data(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    on_conflict: str = "error",
    with_seeds: bool = False,
    n_folds: int | None = N_FOLDS,
) -> TrainingData:
    """Read and validate labelled files for training; report every problem at once.

    Parameters
    ----------
    paths : str, Path or iterable of them
    format, on_conflict
        See :func:`stanceclf.labels.load_labels`.
    with_seeds : bool, default=False
        Add the shipped seed corpus (all its ingredients) as training-only
        material. Your labels must be exactly the seed corpus's labels.
    n_folds : int or None, default=5
        Cross-validation folds the training will use: each label needs that
        many examples. ``None`` when training without cross-validation.

    Raises
    ------
    LabelProblems
        With every problem found, the label-set mismatch of ``with_seeds`` included.
    """
    labelled, problems = _load(paths, format=format, on_conflict=on_conflict, min_per_label=None)
    # "skip" marks sentences outside the label set, as in the seed annotations: not trained on.
    skipped = sum(r.label == SKIP for r in labelled.records)
    if skipped:
        labelled.records = [r for r in labelled.records if r.label != SKIP]
        labelled.skipped[f"label {SKIP!r}"] = skipped
    problems.extend(label_count_problems(labelled.records, n_folds or 1))
    if n_folds:
        problems.extend(_fold_problems(labelled.records))
    data = TrainingData(labelled)
    if with_seeds:
        seeds = _seed_records(DEFAULT_INGREDIENTS)
        theirs, ours = {r.label for r in seeds}, set(labelled.labels)
        if ours and theirs != ours:
            detail = []
            if ours - theirs:
                detail.append(f"only in your data: {sorted(ours - theirs)}")
            if theirs - ours:
                detail.append(f"only in the seed corpus: {sorted(theirs - ours)}")
            problems.append(
                LabelProblem(
                    "--with-seeds",
                    f"your labels {sorted(ours)} are not the seed corpus's labels {sorted(theirs)} "
                    f"({'; '.join(detail)}); relabel to match or train without the seed corpus",
                )
            )
        mine = {_key(r.text) for r in labelled.records}
        data.extra = [r for r in seeds if _key(r.text) not in mine]
        data.seed_ingredients = list(DEFAULT_INGREDIENTS)
        data.seeds_overridden = len(seeds) - len(data.extra)
    if problems:
        raise LabelProblems(problems)
    return data


# -- cross-validation ----------------------------------------------------------------------


def _splits(records: Sequence[LabelledText], n_folds: int, random_state: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict]:
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    labels = [r.label for r in records]
    groups = _groups(records)
    if groups is None:
        splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=random_state)
        splits = list(splitter.split(np.zeros(len(labels)), labels))
        grouped_by = None
    else:
        k = min(n_folds, len(set(groups)))
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
        splits = list(splitter.split(np.zeros(len(labels)), labels, groups))
        grouped_by = "doc"
    protocol = {
        "n_folds": len(splits),
        "grouped_by": grouped_by,
        "stratified_by": "label",
        "random_state": random_state,
        "description": (
            f"{len(splits)}-fold cross-validation over your labelled sentences"
            + (", grouped by 'doc' (a document is never in both training and test; records without a doc are documents of their own)" if grouped_by else ", stratified by label")
            + "; seed corpus, when added, in every fold's training data and never scored"
        ),
    }
    return splits, protocol


def _describe(params: dict) -> str:
    parts = [params["classifier"]]
    parts.append(f"C={params['C']:g}" if params["classifier"] in ("logreg", "svm") else f"alpha={params['alpha']:g}")
    features = params["features"]
    if "word" in features:
        parts.append("word{}-{}".format(*params["word_ngram_range"]))
    if "char" in features:
        parts.append("char{}-{}".format(*params["char_ngram_range"]))
    if params.get("use_lexicon"):
        parts.append("lexicon")
    return " ".join(parts)


def _feature_groups(configs: Sequence[dict]) -> list[list[int]]:
    """Indices of configurations that share their feature parameters."""
    by_features: dict[tuple, list[int]] = {}
    for index, params in enumerate(configs):
        key = tuple(sorted((k, repr(v)) for k, v in params.items() if k not in _CLASSIFIER_PARAMS))
        by_features.setdefault(key, []).append(index)
    return list(by_features.values())


def _fit_fold(
    train_texts: list[str],
    train_y: list[str],
    test_texts: list[str],
    configs: Sequence[dict],
    labels: list[str],
    on_fit: Callable[[int], None] | None = None,
) -> list[np.ndarray]:
    """Fit every configuration on one fold; their test probabilities, columns in ``labels`` order."""
    from threadpoolctl import threadpool_limits

    probas = [np.zeros((len(test_texts), len(labels))) for _ in configs]
    # One BLAS/OpenMP thread: these small sparse problems gain nothing from
    # more, and extra threads cost several times the CPU when the cores are
    # busy (other folds in parallel, other programs).
    with threadpool_limits(limits=1):
        for members in _feature_groups(configs):
            # The estimator's own pipeline, split before its last step: one
            # feature matrix serves every classifier, and each fit is exactly
            # what StanceClassifier(**params).fit would do.
            front = StanceClassifier(**configs[members[0]])._build_pipeline()[:-1]
            X_train = front.fit_transform(train_texts, train_y)
            X_test = front.transform(test_texts)
            for index in members:
                clf = StanceClassifier(**configs[index])._build_pipeline()[-1]
                clf.fit(X_train, train_y)
                proba = clf.predict_proba(X_test)
                # A fold whose training lacks a label predicts it with probability 0.
                for k, cls in enumerate(clf.classes_):
                    probas[index][:, labels.index(str(cls))] = proba[:, k]
                if on_fit is not None:
                    on_fit(index)
    return probas


def _out_of_fold(
    data: TrainingData,
    configs: Sequence[dict],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    labels: list[str],
    progress: Callable[[str], None] | None,
    n_jobs: int = 1,
) -> list[np.ndarray]:
    """Pooled out-of-fold probabilities (columns in ``labels`` order) of each configuration."""
    records = data.labelled.records
    texts = [r.text for r in records]
    y = [r.label for r in records]
    extra_texts = [r.text for r in data.extra]
    extra_y = [r.label for r in data.extra]
    total, started = len(splits) * len(configs), time.perf_counter()
    done = 0

    def report(message: str) -> None:
        elapsed = time.perf_counter() - started
        left = elapsed / done * (total - done)
        progress(f"[{done}/{total}] {message} ({elapsed:.0f}s elapsed, about {left:.0f}s left)")

    def fold_arguments(train, test):
        return [texts[i] for i in train] + extra_texts, [y[i] for i in train] + extra_y, [texts[i] for i in test], configs, labels

    probas = [np.zeros((len(records), len(labels))) for _ in configs]
    if n_jobs == 1:
        for fold, (train, test) in enumerate(splits, start=1):
            def on_fit(index: int, fold: int = fold) -> None:
                nonlocal done
                done += 1
                if progress is not None:
                    report(f"fold {fold}/{len(splits)} {_describe(configs[index])}")

            for index, proba in enumerate(_fit_fold(*fold_arguments(train, test), on_fit=on_fit)):
                probas[index][test] = proba
        return probas
    from joblib import Parallel, delayed

    # Folds run in worker processes; progress is told as each fold comes back.
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_fold)(*fold_arguments(train, test)) for train, test in splits
    )
    for fold, ((_, test), fold_probas) in enumerate(zip(splits, results), start=1):
        for index, proba in enumerate(fold_probas):
            probas[index][test] = proba
        done += len(configs)
        if progress is not None:
            report(f"fold {fold}/{len(splits)} done, {len(configs)} configuration{'s' if len(configs) != 1 else ''}")
    return probas


def _report(records: Sequence[LabelledText], proba: np.ndarray, labels: list[str]) -> dict:
    y = [r.label for r in records]
    predicted = [labels[k] for k in proba.argmax(axis=1)]
    return quality_report(y, predicted, proba, labels)


def _per_language(records: Sequence[LabelledText], proba: np.ndarray, labels: list[str]) -> dict:
    from .segmentation import detect_language

    langs = [r.lang or detect_language(r.text) for r in records]
    out = {}
    for lang in sorted(set(langs)):
        keep = [i for i, value in enumerate(langs) if value == lang]
        out[lang] = _report([records[i] for i in keep], proba[keep], labels)
    return out


def _full_params(params: dict | None, random_state: int) -> dict:
    # Every parameter spelled out, so that the card says exactly what was fitted.
    return StanceClassifier(**{**DEFAULT_PARAMS, "random_state": random_state, **(params or {})}).get_params()


def _check_folds(n_folds: int, n_jobs: int = 1) -> None:
    if isinstance(n_folds, bool) or not isinstance(n_folds, int) or n_folds < 2:
        raise ValueError(f"The 'n_folds' parameter must be an int >= 2. Got {n_folds!r} instead.")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"The 'n_jobs' parameter must be an int >= 1, or -1 for every core. Got {n_jobs!r} instead.")


def cross_validate_labels(
    data: TrainingData,
    params: dict | None = None,
    *,
    n_folds: int = N_FOLDS,
    random_state: int = 0,
    progress: Callable[[str], None] | None = None,
    n_jobs: int = 1,
) -> dict:
    """Cross-validated quality of one configuration on your labelled records.

    Parameters
    ----------
    data : TrainingData
        From :func:`load_training_data`.
    params : dict, optional
        StanceClassifier parameters; defaults to the shipped model's.
    n_folds : int, default=5
    random_state : int, default=0
        Seeds the folds and the classifier.
    progress : callable, optional
        Called with a short message after each fitted fold.
    n_jobs : int, default=1
        Folds fitted at once, in worker processes; -1 for every core.

    Returns
    -------
    dict
        ``protocol``, ``pooled`` (a :func:`~stanceclf.quality_report` of the
        pooled out-of-fold predictions) and ``per_language``.
    """
    _check_folds(n_folds, n_jobs)
    records = data.labelled.records
    labels = sorted({r.label for r in data.all_records})
    splits, protocol = _splits(records, n_folds, random_state)
    (proba,) = _out_of_fold(data, [_full_params(params, random_state)], splits, labels, progress, n_jobs)
    return {"protocol": protocol, "pooled": _report(records, proba, labels), "per_language": _per_language(records, proba, labels)}


def search_settings(
    data: TrainingData,
    *,
    n_folds: int = N_FOLDS,
    random_state: int = 0,
    features: Sequence[dict] = SEARCH_FEATURES,
    classifiers: Sequence[dict] = SEARCH_CLASSIFIERS,
    progress: Callable[[str], None] | None = None,
    n_jobs: int = 1,
) -> SearchResult:
    """Choose the model family, regularisation and n-grams by cross-validated macro-F1.

    Every pair of an n-gram setting from ``features`` and a classifier from
    ``classifiers`` is cross-validated on the same folds; the best macro-F1
    wins, a lower Brier score breaking ties.

    Parameters
    ----------
    data : TrainingData
    n_folds : int, default=5
    random_state : int, default=0
    features, classifiers : sequence of dict
        StanceClassifier parameters; default :data:`SEARCH_FEATURES` and
        :data:`SEARCH_CLASSIFIERS`.
    progress : callable, optional
        Called after every fit (every fold with ``n_jobs`` other than 1) with
        the count done, the time spent and the time probably left.
    n_jobs : int, default=1
        Folds fitted at once, in worker processes; -1 for every core.

    Returns
    -------
    SearchResult
    """
    _check_folds(n_folds, n_jobs)
    started = time.perf_counter()
    configs = [_full_params({**f, **c}, random_state) for f in features for c in classifiers]
    if not configs:
        raise ValueError("The 'features' and 'classifiers' parameters of search_settings must each hold at least one setting. Got none instead.")
    records = data.labelled.records
    labels = sorted({r.label for r in data.all_records})
    splits, protocol = _splits(records, n_folds, random_state)
    probas = _out_of_fold(data, configs, splits, labels, progress, n_jobs)
    reports = [_report(records, proba, labels) for proba in probas]
    order = sorted(range(len(configs)), key=lambda i: (-reports[i]["macro_f1"], reports[i]["brier"], i))
    ranking = [
        {
            "settings": _describe(configs[i]),
            "params": params_to_card(configs[i]),
            "macro_f1": reports[i]["macro_f1"],
            "accuracy": reports[i]["accuracy"],
            "brier": reports[i]["brier"],
        }
        for i in order
    ]
    best = order[0]
    return SearchResult(configs[best], reports[best], ranking, protocol, round(time.perf_counter() - started, 1))




# -- training ---------------------------------------------------------------------------------


def train_from_labels(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    on_conflict: str = "error",
    with_seeds: bool = False,
    search: bool = False,
    cross_validate: bool = True,
    n_folds: int = N_FOLDS,
    random_state: int = 0,
    params: dict | None = None,
    progress: Callable[[str], None] | None = None,
    n_jobs: int = 1,
) -> tuple[StanceClassifier, dict]:
    """Train a :class:`StanceClassifier` on your labelled files and describe it for its model card.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files of labels (see :func:`stanceclf.read_labels` for the formats).
    format : str, optional
        Overrides format detection for every file.
    on_conflict : {"error", "last", "drop"}, default="error"
        What to do with a text given different labels.
    with_seeds : bool, default=False
        Add the shipped seed corpus to the training data (your labels must be its labels).
    search : bool, default=False
        Choose the settings with :func:`search_settings` instead of using ``params``.
    cross_validate : bool, default=True
        Measure the model by cross-validation for the card (``search`` always does).
    n_folds : int, default=5
    random_state : int, default=0
        Seeds the folds and the classifier.
    params : dict, optional
        StanceClassifier parameters; defaults to the shipped model's.
    progress : callable, optional
        Called with a short message at each step.
    n_jobs : int, default=1
        Cross-validation folds fitted at once, in worker processes; -1 for
        every core. The results do not depend on it.

    Returns
    -------
    model : StanceClassifier
        Fitted on all your records (and the seed corpus with ``with_seeds``).
    card : dict
        Model-card fields: ``training_data`` (files, their sha256, counts,
        duplicates, conflicts, skipped records), ``settings``, ``metrics``,
        ``search`` (with ``search``), ``training_seconds`` and ``command``.

    Raises
    ------
    LabelProblems
        The data has problems; nothing was trained.

    Examples
    --------
    >>> model, card = train_from_labels(["mine.csv"], search=True)  # doctest: +SKIP
    >>> save_model(model, "mine.joblib", card=card)  # doctest: +SKIP
    """
    if search and params:
        raise ValueError("The 'params' parameter of train_from_labels cannot be combined with search=True: the search chooses them.")
    validate = search or cross_validate
    if validate:
        _check_folds(n_folds, n_jobs)
    data = load_training_data(paths, format=format, on_conflict=on_conflict, with_seeds=with_seeds,
                              n_folds=n_folds if validate else None)
    labelled = data.labelled
    if progress is not None:
        files = ", ".join(f"{f['path']} ({f['format']}, {f['records']} records)" for f in labelled.files)
        progress(f"read {files}: {len(labelled.records)} sentences, labels {labelled.counts}"
                 + (f", {labelled.duplicates} exact duplicates dropped" if labelled.duplicates else "")
                 + (f", {len(labelled.conflicts)} conflicting texts resolved ({labelled.on_conflict})" if labelled.conflicts else "")
                 + (f", skipped {dict(labelled.skipped)}" if labelled.skipped else "")
                 + (f"; plus {len(data.extra)} seed-corpus sentences" if data.extra else ""))
    card: dict = {"training_data": data.describe()}
    if search:
        result = search_settings(data, n_folds=n_folds, random_state=random_state, progress=progress, n_jobs=n_jobs)
        chosen = result.best_params
        card["search"] = {
            "protocol": result.protocol,
            "n_configurations": len(result.ranking),
            "seconds": result.seconds,
            "chosen": result.ranking[0]["settings"],
            "ranking": result.ranking,
        }
        card["metrics"] = {"protocol": result.protocol, "pooled": result.best_report}
        if progress is not None:
            for rank, row in enumerate(result.ranking[:5], start=1):
                progress(f"search #{rank}: {row['settings']:<28} macro-F1 {row['macro_f1']:.3f}  accuracy {row['accuracy']:.3f}  Brier {row['brier']:.3f}")
    else:
        chosen = _full_params(params, random_state)
        if cross_validate:
            card["metrics"] = cross_validate_labels(data, chosen, n_folds=n_folds, random_state=random_state, progress=progress, n_jobs=n_jobs)
    card["settings"] = {"chosen_by": "search" if search else ("params" if params else "defaults"), **params_to_card(chosen)}
    records = data.all_records
    if progress is not None:
        progress(f"training {_describe(chosen)} on {len(records)} sentences")
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    with threadpool_limits(limits=1):  # see _fit_fold: one thread is faster here
        model = StanceClassifier(**chosen).fit([r.text for r in records], [r.label for r in records])
    card["training_seconds"] = round(time.perf_counter() - started, 3)
    card["random_state"] = random_state
    call = [repr([str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)])]
    for name, value, default in (("format", format, None), ("on_conflict", on_conflict, "error"), ("with_seeds", with_seeds, False),
                                 ("search", search, False), ("cross_validate", cross_validate, True), ("n_folds", n_folds, N_FOLDS),
                                 ("random_state", random_state, 0), ("params", params, None)):
        if value != default:
            call.append(f"{name}={value!r}")
    card["command"] = f"stanceclf.train_from_labels({', '.join(call)})"
    return model, card


# -- comparing ---------------------------------------------------------------------------------


def _predict(model, texts: list[str], labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """Probabilities over ``labels`` (0 for labels the model does not know) and predicted labels."""
    proba = np.asarray(model.predict_proba(texts))
    classes = [str(c) for c in model.classes_]
    full = np.zeros((len(texts), len(labels)))
    for k, cls in enumerate(classes):
        full[:, labels.index(cls)] = proba[:, k]
    return full, [classes[k] for k in proba.argmax(axis=1)]


def evaluate_model(model, records: Sequence[LabelledText]) -> dict:
    """Quality of a fitted model on labelled records, labels it does not know included.

    Unlike scoring over the model's own classes, a gold label the model cannot
    predict counts in macro-F1 (with F1 0), so a model trained on another label
    set is not flattered.

    Returns
    -------
    dict
        A :func:`~stanceclf.quality_report` plus ``unknown_labels``: gold
        labels missing from the model's classes.
    """
    report, _ = _evaluate(model, records, sorted({r.label for r in records} | {str(c) for c in model.classes_}))
    return report


def _evaluate(model, records: Sequence[LabelledText], labels: list[str]) -> tuple[dict, list[tuple[str, float]]]:
    texts = [r.text for r in records]
    proba, predicted = _predict(model, texts, labels)
    report = quality_report([r.label for r in records], predicted, proba, labels)
    known = {str(c) for c in model.classes_}
    report["unknown_labels"] = sorted({r.label for r in records} - known)
    scores = [(label, float(row[labels.index(label)])) for label, row in zip(predicted, proba)]
    return report, scores


def compare_models(models: Mapping[str, object], records: Sequence[LabelledText]) -> dict:
    """Score two or more models on the same labelled records, and list where they disagree.

    Parameters
    ----------
    models : mapping of str to fitted model
        Names (e.g. the paths they were loaded from) to models.
    records : sequence of LabelledText
        From :func:`stanceclf.read_labels`.

    Returns
    -------
    dict
        ``n``; ``labels`` (the union of the gold labels and every model's
        classes); ``reports``: name to :func:`evaluate_model` report;
        ``disagreements``: the records on which the models' labels differ,
        each with ``text``, ``label`` (gold), ``source`` and ``predictions``
        (name to ``{"label", "score"}``).

    Examples
    --------
    >>> import stanceclf
    >>> rows = [stanceclf.LabelledText("Bitcoin rose 5% on Monday.", "market_commentary", "mine.csv:2")]
    >>> result = compare_models({"default": stanceclf.load_model(), "seeds-only": stanceclf.load_model("seeds-only")}, rows)
    >>> sorted(result["reports"])
    ['default', 'seeds-only']
    """
    if len(models) < 2:
        raise ValueError(f"The 'models' parameter of compare_models must hold at least 2 models. Got {len(models)} instead.")
    if not records:
        raise ValueError("The 'records' parameter of compare_models must hold at least one labelled record. Got none instead.")
    labels = sorted({r.label for r in records}.union(*({str(c) for c in m.classes_} for m in models.values())))
    reports, predictions = {}, {}
    for name, model in models.items():
        reports[name], predictions[name] = _evaluate(model, records, labels)
    disagreements = []
    for i, record in enumerate(records):
        chosen = {name: predictions[name][i] for name in models}
        if len({label for label, _ in chosen.values()}) > 1:
            disagreements.append({
                "text": record.text,
                "label": record.label,
                "source": record.source,
                "predictions": {name: {"label": label, "score": score} for name, (label, score) in chosen.items()},
            })
    return {"n": len(records), "labels": labels, "reports": reports, "disagreements": disagreements}
