"""Sentence segmentation for English, Chinese and text that mixes both.

Rules, in the order they apply:

* Every line is cut separately: a headline or section title on its own line is
  a sentence of its own.
* Chinese ``。！？`` (and ASCII ``!?`` or ``.`` directly after a Chinese
  character) end a sentence wherever they stand. ``；`` does not: in Chinese
  news it joins parallel clauses that share one subject and one stance.
* English ``!`` and ``?`` end a sentence when followed by a space or the end
  of the line; ``.`` does when followed by a space and a word that does not
  start in lower case, and the word before it is neither a known abbreviation
  (``U.S.``, ``Mr.``, ``No.``, ``e.g.``, ``Jan.`` ...) nor an initial
  (``J. Smith``). Decimals and percentages (``40.5%``) never contain a
  boundary because their dot is not followed by a space. An ellipsis ends a
  sentence only when a capitalised word follows.
* Closing quotes and brackets (``"'”’」』）)]】》``) stay with the sentence
  they close.

Each sentence records its language: ``"zh"`` when Chinese characters make up a
fair share of its letters, ``"en"`` otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._validation import check_text

__all__ = ["Sentence", "segment_sentences", "detect_language"]

_CLOSERS = "\"'”’」』）)]】》〉›»"
_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
# Candidate boundaries: a run of terminators and the closers that follow it.
_CANDIDATE = re.compile(f"(?:[。！？!?]+|\\.+|…+)[。！？!?.…]*[{re.escape(_CLOSERS)}]*")
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt no nos vs etc al approx est inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec
    e.g i.e u.s u.k u.n e.u u.s.a p.m a.m ph.d gov rep sen gen col lt fig
    """.split()
)
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")
_VISIBLE = re.compile(r"\S")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence cut from a text.

    Attributes
    ----------
    text : str
        The sentence, equal to ``source[start:end]``.
    start, end : int
        Character offsets into the text that was segmented.
    lang : {"en", "zh"}
        The sentence's language.
    """

    text: str
    start: int
    end: int
    lang: str


def detect_language(text: str) -> str:
    """Return ``"zh"`` if Chinese characters are a fair share of ``text``, else ``"en"``.

    Examples
    --------
    >>> detect_language("比特币ETF获批"), detect_language("The People's Bank of China (人民银行) acted.")
    ('zh', 'en')
    """
    check_text(text, "text")
    han = len(_CJK.findall(text))
    if not han:
        return "en"
    # Four Latin letters weigh about one Chinese character of content.
    return "zh" if han * 4 >= len(_LATIN.findall(text)) else "en"


def _is_boundary(line: str, match: re.Match[str]) -> bool:
    start, end = match.span()
    run = match.group(0)
    before = line[start - 1] if start else ""
    after = line[end] if end < len(line) else ""
    if not after:
        return True
    if any(ch in "。！？" for ch in run):
        return True
    if _CJK.match(before) and (run[0] in "!?." or run[0] == "…"):
        return True
    if not after.isspace():
        return bool(_CJK.match(after)) and run[0] in "!?"
    # Searching from ``end`` instead of slicing the rest of the line keeps a
    # long line with many candidates linear, not quadratic.
    visible = _VISIBLE.search(line, end)
    if visible is None:
        return True
    first = line[visible.start()]
    if run[0] in "!?":
        return True
    if first.islower():
        return False
    if run[0] == "…" or run.startswith(".."):
        return first.isupper() or bool(_CJK.match(first)) or first in "\"“‘'「『(（"
    token = _word_before(line, start)
    if token:
        if token.lower().rstrip(".") in _ABBREVIATIONS:
            return False
        # An initial ("J. Smith") or a dotted acronym ("U.S.") before the dot.
        if len(token) == 1 and token.isupper():
            return False
        if "." in token and all(len(part) <= 1 for part in token.split(".")):
            return False
    return True


def _word_before(line: str, start: int) -> str:
    """The dotted word that ends at ``start`` ("U.S", "Mr", "e.g"), or "".

    It is scanned backwards from ``start``: only the candidate at the end of a
    run of letters and dots gets here, so each run is scanned once.
    """
    begin = start
    while begin and line[begin - 1] in _WORD_CHARS:
        begin -= 1
    return line[begin:start].lstrip(".")


def _segment_line(line: str, offset: int, sentences: list[Sentence]) -> None:
    start = 0
    for match in _CANDIDATE.finditer(line):
        if _is_boundary(line, match):
            _emit(line, start, match.end(), offset, sentences)
            start = match.end()
    _emit(line, start, len(line), offset, sentences)


def _emit(line: str, start: int, end: int, offset: int, sentences: list[Sentence]) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    begin = offset + start + lead
    sentences.append(Sentence(stripped, begin, begin + len(stripped), detect_language(stripped)))


_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def segment_sentences(text: str) -> list[Sentence]:
    """Cut ``text`` into sentences.

    Parameters
    ----------
    text : str
        Usually the output of :func:`stanceclf.clean_text`; any string works.

    Returns
    -------
    list of Sentence
        In order, not overlapping, with offsets into ``text``; together they
        cover every non-space character. Empty for text with no sentence.

    Examples
    --------
    >>> [s.text for s in segment_sentences("The U.S. SEC sued Mr. Li. BTC rose 40.5%! 央行发布通知。矿场关停")]
    ['The U.S. SEC sued Mr. Li.', 'BTC rose 40.5%!', '央行发布通知。', '矿场关停']
    """
    check_text(text, "text")
    sentences: list[Sentence] = []
    for line in _LINE.finditer(text):
        _segment_line(line.group(0), line.start(), sentences)
    return sentences
