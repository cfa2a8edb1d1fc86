"""The systems the benchmark compares, each a factory of fresh unfitted estimators.

Every system offers ``fit(texts, labels)``, ``predict_proba(texts)`` and
``classes_``, which is all :func:`stanceclf.evaluation.leave_one_document_out`
needs, so all of them are scored on the same folds by the same code.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from stanceclf.tokenization import normalize_text, tokenize

FASTTEXT_MISSING = "fastText is not installed: pip install 'stanceclf[bench]' (the fasttext-wheel package)"

# fastText's documented defaults for supervised training (lr 0.1, dim 100,
# epoch 5, minCount 1, softmax loss, bucket 2,000,000 used once word n-grams
# are on); only what differs is passed. thread=1 makes training repeatable.
FASTTEXT_VARIANTS = {
    "fastText (defaults)": {},
    "fastText (defaults + word bigrams)": {"wordNgrams": 2},
    "fastText (tutorial settings: lr 1.0, 25 epochs, word bigrams)": {"lr": 1.0, "epoch": 25, "wordNgrams": 2},
}
FASTTEXT_REFERENCE = "fastText (defaults + word bigrams)"


def fasttext_version() -> str | None:
    """The installed fasttext-wheel version, or None when fastText cannot be imported."""
    from importlib import metadata

    try:
        import fasttext  # noqa: F401
    except ImportError:
        return None
    for name in ("fasttext-wheel", "fasttext"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


def fasttext_line(text: str) -> str:
    """The text fastText sees: stanceclf's normalisation and tokenisation (jieba for Chinese), space-joined."""
    return " ".join(tokenize(normalize_text(text)))


class FastTextClassifier:
    """fastText supervised, trained on the same sentences as any other system.

    Parameters
    ----------
    params : dict
        Keyword arguments of ``fasttext.train_supervised`` on top of its defaults.
    seed : int
    """

    def __init__(self, params: dict | None = None, seed: int = 0):
        self.params = dict(params or {})
        self.seed = seed

    def fit(self, texts, labels) -> "FastTextClassifier":
        import fasttext

        handle, path = tempfile.mkstemp(suffix=".txt", prefix="stanceclf-bench-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                for text, label in zip(texts, labels):
                    out.write(f"__label__{label} {fasttext_line(text)}\n")
            self.model_ = fasttext.train_supervised(input=path, seed=self.seed, thread=1, verbose=0, **self.params)
        finally:
            os.unlink(path)
        self.classes_ = np.asarray(sorted(label.removeprefix("__label__") for label in self.model_.get_labels()), dtype=object)
        return self

    def predict_proba(self, texts) -> np.ndarray:
        column = {f"__label__{c}": k for k, c in enumerate(self.classes_)}
        proba = np.zeros((len(texts), len(self.classes_)))
        for i, text in enumerate(texts):
            # The low-level call: fasttext-wheel 0.9.2's list predict with k=-1
            # repeats the top probability for every label under numpy 2.
            for probability, label in self.model_.f.predict(fasttext_line(text) + "\n", -1, 0.0, "strict"):
                proba[i, column[label]] = probability
        return proba

    def predict(self, texts) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


@dataclass
class System:
    """One row of the comparison.

    Attributes
    ----------
    name : str
    family : {"baseline", "stanceclf", "fasttext"}
    params : dict
        What builds it: StanceClassifier parameters, fastText parameters, or
        the baseline's description.
    ingredients : tuple of str
    shipped : bool
        The shipped default configuration.
    """

    name: str
    family: str
    params: dict = field(default_factory=dict)
    ingredients: tuple[str, ...] = ()
    shipped: bool = False

    def make(self):
        """Return a fresh unfitted estimator."""
        if self.family == "stanceclf":
            from stanceclf import StanceClassifier

            return StanceClassifier(**self.params)
        if self.family == "fasttext":
            return FastTextClassifier(self.params)
        if self.name == "majority class":
            from sklearn.dummy import DummyClassifier

            return DummyClassifier(strategy="most_frequent")
        if self.name == "keyword rules":
            from stanceclf.baselines import KeywordRuleClassifier

            return KeywordRuleClassifier()
        raise ValueError(f"Unknown system {self.name!r}.")


def stanceclf_label(params: dict) -> str:
    """A short readable name of a StanceClassifier configuration."""
    names = {"logreg": "logistic regression", "svm": "linear SVM (calibrated)", "nb": "complement NB", "sgd": "SGD (log loss)"}
    label = f"{names.get(params.get('classifier', 'logreg'), params.get('classifier'))} / {params.get('features', 'word+char')}"
    if params.get("use_lexicon", True):
        label += " + lexicon"
    return label


def effective_params(params: dict) -> dict:
    """Every StanceClassifier parameter, defaults filled in, JSON-comparable."""
    import json

    from stanceclf import StanceClassifier

    return json.loads(json.dumps(StanceClassifier(**params).get_params(), default=str))
