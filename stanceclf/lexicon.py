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
    The cues share their prefixes (a trie), so the engine compares each
    character once instead of trying every cue in turn (the flat alternation
    ``cue1|cue2|...`` cost about 2 ms per sentence, this about 12 us).
    Deeper branches are tried first and backtracking falls back to shorter
    cues, so a match is the longest valid cue, as in that alternation sorted
    longest first (tests/test_lexicon_pattern.py holds the two to the same
    matches).
    """
    trie: dict = {}
    for cue in cues:
        node = trie
        for char in cue:
            node = node.setdefault(char, {})
        node[""] = "en" if re.fullmatch(r"[\x00-\x7f]+", cue) else "zh"

    def end(node: dict, depth: int, guarded: bool) -> str:
        if node[""] == "zh":
            return ""
        # No letter or digit after an English cue; nor before it, which the
        # guard at the root checks, or else a look-behind of fixed width.
        return "(?![a-z0-9])" if guarded else rf"(?<![a-z0-9][\s\S]{{{depth}}})(?![a-z0-9])"

    def branch(node: dict, depth: int, guarded: bool) -> str:
        chars = sorted(char for char in node if char)
        if not chars:
            return end(node, depth, guarded)
        body = _dispatch(chars, {c: re.escape(c) + branch(node[c], depth + 1, guarded) for c in chars})
        return body if "" not in node else f"(?:{body}|{end(node, depth, guarded)})"

    def english_only(node: dict) -> bool:
        return all(value == "en" if char == "" else english_only(value) for char, value in node.items())

    # Most positions of English text are inside a word, where no English cue
    # may start: one look-behind rules them out before any character test.
    words = sorted(char for char in trie if english_only(trie[char]))
    others = sorted(char for char in trie if char not in words)
    parts = []
    if words:
        parts.append("(?<![a-z0-9])" + _dispatch(words, {c: re.escape(c) + branch(trie[c], 1, True) for c in words}))
    if others:
        parts.append(_dispatch(others, {c: re.escape(c) + branch(trie[c], 1, False) for c in others}))
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _dispatch(chars: list[str], alternatives: dict[str, str]) -> str:
    # re tries the branches of an alternation one by one; with hundreds of
    # first characters, a binary tree of character-class look-aheads finds
    # the one branch that can match in a few O(1) tests instead.
    if len(chars) <= 8:
        return alternatives[chars[0]] if len(chars) == 1 else "(?:" + "|".join(alternatives[c] for c in chars) + ")"
    half = len(chars) // 2
    halves = (chars[:half], chars[half:])
    return "(?:" + "|".join(f"(?=[{''.join(re.escape(c) for c in part)}]){_dispatch(part, alternatives)}" for part in halves) + ")"


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
        column_of_cue = self._column_of_cue()
        findall = self._pattern().findall  # the pattern has no groups: whole matches
        data, indices, indptr = [], [], [0]
        for text in texts:
            counts: dict[int, int] = {}
            for cue in findall(text):
                j = column_of_cue[cue]
                counts[j] = counts.get(j, 0) + 1
            for j in sorted(counts):
                indices.append(j)
                data.append(self.scale * np.log1p(counts[j]))
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(texts), len(self.concepts_)),
        )

    def _pattern(self) -> re.Pattern[str]:
        pattern = self.__dict__.get("pattern_")
        if pattern is None:
            pattern = self.pattern_ = re.compile(_trie_pattern(self.concept_of_))
        return pattern

    def _column_of_cue(self) -> dict[str, int]:
        columns = self.__dict__.get("_columns")
        if columns is None or columns[0] is not self.concept_of_:  # built once per fit
            column = {concept: j for j, concept in enumerate(self.concepts_)}
            columns = self._columns = (self.concept_of_, {cue: column[c] for cue, c in self.concept_of_.items()})
        return columns[1]

    def __getstate__(self):
        # Artifacts keep the cues, not the compiled pattern: compiling it takes
        # longer than unpickling the rest of a model, so it is done on first use.
        state = super().__getstate__()
        state.pop("pattern_", None)
        state.pop("_columns", None)
        return state

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "concepts_")
        return np.asarray([f"concept:{c}" for c in self.concepts_], dtype=object)
