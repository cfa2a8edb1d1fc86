"""Bilingual concept lexicon: cue phrases in English and Chinese mapped to shared concepts.

The lexicon lets what is learned from a sentence in one language carry over to
the other: "banned", 禁止 and 禁止 written in Traditional script all raise the
same ``concept:prohibition`` feature. The features are added to the TF-IDF
ones; the linear model still decides how much each concept weighs.

The shipped lexicon is ``stanceclf/data/lexicon.tsv`` (columns ``concept``,
``lang``, ``cue``; ``#`` starts a comment). Extend it by passing your own file
(same format) as ``lexicon=`` to :class:`ConceptFeatures` or
:class:`stanceclf.StanceClassifier`; its rows are added to the shipped ones.

Matching runs on normalised text (:func:`stanceclf.tokenization.normalize_text`)
and takes the longest cue first without overlaps, so a direction phrase such as
"lift the ban" or 解除禁令 counts as ``lifting_restriction`` and its inner
"ban"/禁令 does not count as ``prohibition`` as well.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._validation import check_texts

__all__ = ["read_lexicon", "ConceptFeatures"]


def _shipped_lexicon() -> Path:
    return Path(str(resources.files("stanceclf") / "data" / "lexicon.tsv"))


def read_lexicon(path: str | Path | None = None) -> list[tuple[str, str, str]]:
    """Read a lexicon file and return its ``(concept, lang, cue)`` rows.

    Parameters
    ----------
    path : str or Path, optional
        A TSV file with a ``concept<TAB>lang<TAB>cue`` header. ``None`` reads
        the shipped lexicon.

    Examples
    --------
    >>> rows = read_lexicon()
    >>> ("prohibition", "zh", "禁止") in rows
    True
    """
    path = _shipped_lexicon() if path is None else Path(path)
    rows: list[tuple[str, str, str]] = []
    seen_header = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.rstrip("\n").split("\t")
        if not seen_header:
            if [f.strip() for f in fields] != ["concept", "lang", "cue"]:
                raise ValueError(f"{path}:{number}: expected the header 'concept<TAB>lang<TAB>cue'. Got {line!r} instead.")
            seen_header = True
            continue
        if len(fields) != 3 or not all(f.strip() for f in fields):
            raise ValueError(f"{path}:{number}: expected 3 non-empty tab-separated fields. Got {line!r} instead.")
        concept, lang, cue = (f.strip() for f in fields)
        if lang not in ("en", "zh"):
            raise ValueError(f"{path}:{number}: the language must be 'en' or 'zh'. Got {lang!r} instead.")
        rows.append((concept, lang, cue.lower()))
    if not rows:
        raise ValueError(f"{path}: the lexicon has no cue.")
    return rows


def _compile(rows: list[tuple[str, str, str]]) -> tuple[re.Pattern[str], dict[str, str], list[str]]:
    from .tokenization import to_simplified

    concept_of: dict[str, str] = {}
    for concept, lang, cue in rows:
        concept_of[to_simplified(cue) if lang == "zh" else cue] = concept
    return re.compile(_trie_pattern(concept_of)), concept_of, sorted(set(concept_of.values()))


def _trie_pattern(cues) -> str:
    """One regular expression matching, at each position, the longest cue that fits.

    English cues (ASCII) match whole words only; Chinese has no word spaces.
    The cues share their prefixes (a trie) and the pattern starts with a
    character class, so the engine skips in C the positions where no cue
    starts and compares each character once instead of trying every cue in
    turn (the flat alternation ``cue1|cue2|...`` cost about 2 ms per
    sentence). Deeper branches are tried first and backtracking falls back to
    shorter cues, so a match is the longest valid cue, as in that alternation
    sorted longest first.
    """
    trie: dict = {}
    for cue in cues:
        node = trie
        for char in cue:
            node = node.setdefault(char, {})
        # An English cue of n characters: no letter or digit before its first
        # character (a look-behind of fixed width n + 1) nor after its last.
        node[""] = rf"(?<![a-z0-9][\s\S]{{{len(cue)}}})(?![a-z0-9])" if re.fullmatch(r"[\x00-\x7f]+", cue) else ""

    def branch(node: dict) -> str:
        children = [re.escape(char) + branch(child) for char, child in node.items() if char]
        if not children:
            return node[""]
        body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
        return body if "" not in node else f"(?:{body}|{node['']})"

    return branch(trie)


class ConceptFeatures(TransformerMixin, BaseEstimator):
    """Count lexicon concepts in normalised texts.

    Parameters
    ----------
    lexicon : str or Path, optional
        An extra lexicon file whose rows are added to the shipped lexicon.
    scale : float, default=1.0
        The feature value of one match; ``k`` matches give ``scale * log1p(k)``.

    Attributes
    ----------
    concepts_ : list of str
        The concept names, in column order.

    Examples
    --------
    >>> features = ConceptFeatures().fit(["x"])
    >>> row = features.transform(["they lifted the ban"]).toarray()[0]
    >>> features.concepts_[row.argmax()]
    'lifting_restriction'
    """

    def __init__(self, *, lexicon: str | Path | None = None, scale: float = 1.0):
        self.lexicon = lexicon
        self.scale = scale

    def fit(self, texts, y=None):
        rows = read_lexicon()
        if self.lexicon is not None:
            rows += read_lexicon(self.lexicon)
        self.pattern_, self.concept_of_, self.concepts_ = _compile(rows)
        self.n_features_in_ = 1
        return self

    def transform(self, texts) -> sp.csr_matrix:
        check_is_fitted(self, "concepts_")
        texts = check_texts(texts, "texts")
        column = {concept: j for j, concept in enumerate(self.concepts_)}
        data, indices, indptr = [], [], [0]
        for text in texts:
            counts: dict[int, int] = {}
            for match in self.pattern_.finditer(text):
                j = column[self.concept_of_[match.group(0)]]
                counts[j] = counts.get(j, 0) + 1
            for j in sorted(counts):
                indices.append(j)
                data.append(self.scale * np.log1p(counts[j]))
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(texts), len(self.concepts_)),
        )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "concepts_")
        return np.asarray([f"concept:{c}" for c in self.concepts_], dtype=object)
