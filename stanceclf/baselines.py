"""A transparent bilingual keyword-rule classifier, the baseline a learned model must beat.

:class:`KeywordRuleClassifier` learns nothing. It finds the cue phrases of the
shipped concept lexicon (``data/lexicon.tsv``, English and Chinese) in each
sentence, lets every cue vote for the label its concept is mapped to in
``data/keyword_rules.tsv``, and answers the label with most votes. Ties go to
the label listed first in the rules file; a sentence without any cue gets the
``fallback`` label. Both files are plain, commented TSV: read them to see every
rule.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._validation import check_texts

__all__ = ["read_keyword_rules", "KeywordRuleClassifier"]


def _shipped_rules() -> Path:
    return Path(str(resources.files("stanceclf") / "data" / "keyword_rules.tsv"))


def read_keyword_rules(path: str | Path | None = None) -> dict[str, str]:
    """Read a ``concept<TAB>label`` rules file; return the label of each concept, in file order.

    Parameters
    ----------
    path : str or Path, optional
        ``None`` reads the shipped ``data/keyword_rules.tsv``.

    Examples
    --------
    >>> read_keyword_rules()["prohibition"]
    'regulatory_crackdown'
    """
    path = _shipped_rules() if path is None else Path(path)
    rules: dict[str, str] = {}
    seen_header = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if not seen_header:
            if fields != ["concept", "label"]:
                raise ValueError(f"{path}:{number}: expected the header 'concept<TAB>label'. Got {line!r} instead.")
            seen_header = True
            continue
        if len(fields) != 2 or not all(fields):
            raise ValueError(f"{path}:{number}: expected 2 non-empty tab-separated fields. Got {line!r} instead.")
        if fields[0] in rules:
            raise ValueError(f"{path}:{number}: the concept {fields[0]!r} already has a rule.")
        rules[fields[0]] = fields[1]
    if not rules:
        raise ValueError(f"{path}: the rules file has no rule.")
    return rules


class KeywordRuleClassifier(ClassifierMixin, BaseEstimator):
    """Label sentences by counting bilingual lexicon cues, with fixed rules.

    Parameters
    ----------
    rules : str or Path, optional
        A ``concept<TAB>label`` file; ``None`` uses the shipped
        ``data/keyword_rules.tsv``. Concepts without a rule do not vote.
    fallback : str, default="market_commentary"
        The label of a sentence in which no cue is found.

    Attributes
    ----------
    classes_ : ndarray of str
        The labels the rules can answer, sorted.
    rules_ : dict of str to str
        The label of each concept.

    Examples
    --------
    >>> rules = KeywordRuleClassifier().fit(["any text"], ["market_commentary"])
    >>> rules.predict(["The central bank banned crypto trading.", "杭州设立区块链产业基金。"]).tolist()
    ['regulatory_crackdown', 'industry_support']
    """

    def __init__(self, *, rules: str | Path | None = None, fallback: str = "market_commentary"):
        self.rules = rules
        self.fallback = fallback

    def fit(self, X, y=None) -> "KeywordRuleClassifier":
        """Read the rules; ``X`` and ``y`` are checked and otherwise ignored (nothing is learned)."""
        from .lexicon import ConceptFeatures

        check_texts(X, "X")
        if not isinstance(self.fallback, str) or not self.fallback:
            raise ValueError(f"The 'fallback' parameter of KeywordRuleClassifier must be a non-empty str. Got {self.fallback!r} instead.")
        rules = read_keyword_rules(self.rules)
        concepts = ConceptFeatures(scale=1.0).fit([])
        unknown = sorted(set(rules) - set(concepts.concepts_))
        if unknown:
            raise ValueError(f"The rules name concepts the lexicon does not have: {unknown}.")
        # Tie-break order: labels in the order they first appear in the rules file.
        self.priority_ = list(dict.fromkeys([*rules.values(), self.fallback]))
        self.classes_ = np.asarray(sorted(self.priority_), dtype=object)
        self.rules_ = rules
        self.concepts_ = concepts
        column = {label: k for k, label in enumerate(self.classes_)}
        self.votes_matrix_ = np.zeros((len(concepts.concepts_), len(self.classes_)))
        for j, concept in enumerate(concepts.concepts_):
            if concept in rules:
                self.votes_matrix_[j, column[rules[concept]]] = 1.0
        return self

    def decision_function(self, X) -> np.ndarray:
        """Return the number of cue votes for each label, one row per text, columns in ``classes_`` order."""
        from .tokenization import normalize_text

        check_is_fitted(self, "rules_")
        texts = check_texts(X, "X")
        if not texts:
            return np.zeros((0, len(self.classes_)))
        # ConceptFeatures gives log1p(count) per concept; undo it to count cues.
        counts = np.rint(np.expm1(self.concepts_.transform([normalize_text(t) for t in texts]).toarray()))
        return counts @ self.votes_matrix_

    def predict(self, X) -> np.ndarray:
        """Return the label with most cue votes (ties by rule-file order, no cue: ``fallback``)."""
        votes = self.decision_function(X)
        rank = {label: r for r, label in enumerate(self.priority_)}
        labels = []
        for row in votes:
            if not row.any():
                labels.append(self.fallback)
                continue
            best = row.max()
            labels.append(min((str(c) for c, v in zip(self.classes_, row) if v == best), key=rank.__getitem__))
        return np.asarray(labels, dtype=object)

    def predict_proba(self, X) -> np.ndarray:
        """Return 1 for the predicted label and 0 elsewhere: rules give no graded confidence."""
        predicted = self.predict(X)
        return np.asarray([[float(label == c) for c in self.classes_] for label in predicted]).reshape(-1, len(self.classes_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
