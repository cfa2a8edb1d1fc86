"""Feature-side text normalisation and word tokenisation for English and Chinese.

:func:`normalize_text` is what every feature sees: Unicode NFKC (full-width
digits and Latin become ASCII), lower case, Traditional Chinese converted to
Simplified (OpenCC ``t2s``). It never changes what users get back: outputs keep
the original text and offsets.

:func:`tokenize` splits normalised text into words: jieba for text that holds
Chinese characters (with the domain dictionary in ``data/userdict.txt``),
a regular expression for the rest; numbers become ``<num>`` and percentages
``<pct>`` so that "40%" and "5%" share a feature.

jieba is loaded lazily, on first use, once per process, under a lock, and
silently: its "Building prefix dict" lines never reach the user's stderr.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from math import log

__all__ = ["normalize_text", "tokenize", "jieba_tokenizer", "to_simplified"]

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*%?", re.UNICODE)
_DIGIT = re.compile(r"\d")
_HAN_RUN = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")

_lock = threading.Lock()
_jieba = None
_converter = None


def _user_dictionary_path() -> str:
    return str(resources.files("stanceclf") / "data" / "userdict.txt")


def jieba_tokenizer():
    """Return the process-wide jieba tokenizer, building it on first call.

    The tokenizer is a private :class:`jieba.Tokenizer` (not jieba's global
    one, so the user's own jieba set-up is untouched) with stanceclf's domain
    dictionary loaded. Safe to call from several threads at once.
    """
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                tokenizer = jieba.Tokenizer()
                with _silenced(jieba.default_logger):
                    tokenizer.initialize()
                    tokenizer.load_userdict(_user_dictionary_path())
                _jieba = tokenizer
    return _jieba


@contextlib.contextmanager
def _silenced(logger: logging.Logger):
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters in ``text`` to Simplified (OpenCC ``t2s``).

    A lone surrogate (what some JSON decoders make of a broken emoji escape)
    becomes U+FFFD: OpenCC only takes text that can be encoded as UTF-8.

    Examples
    --------
    >>> to_simplified("虛擬資產交易平台發牌制度")
    '虚拟资产交易平台发牌制度'
    """
    global _converter
    if not _HAN.search(text):
        return text
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter.convert(_SURROGATE.sub("\ufffd", text))


def normalize_text(text: str) -> str:
    """Return the form of ``text`` that features are computed from.

    Examples
    --------
    >>> normalize_text("Ｂｉｔｃｏｉｎ 漲了４０％")
    'bitcoin 涨了40%'
    """
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def _words(text: str) -> list[str]:
    """The ``_WORD`` tokens of ``text``, numbers as ``<num>`` and percentages as ``<pct>``."""
    words = _WORD.findall(text)
    if not _DIGIT.search(text):  # most sentences: no number to rewrite
        return words
    # A _WORD token that starts with a digit is a number (its second branch).
    return [("<pct>" if word[-1] == "%" else "<num>") if _DIGIT.match(word) else word for word in words]


# jieba's cut() first splits its input into blocks of these characters (and
# ASCII letters and digits) and segments each block; a run made of them alone
# is a single block, segmented directly without that per-call splitting.
_JIEBA_BLOCK = re.compile("[\u4e00-\u9fd5]+")


def _cut_block(tokenizer, block: str) -> tuple[str, ...]:
    """jieba's ``HMM=False`` segmentation of one block of Chinese characters.

    The same dynamic programme as ``jieba.Tokenizer`` (its get_DAG, calc and
    __cut_DAG_NO_HMM) on the same dictionary, in one pass: each word's score
    is computed as jieba computes it, ``log(freq) - log(total) + best score
    after it``, and a tie goes to the longer word as jieba's ``max`` over
    ``(score, end)`` tuples does, so the words are jieba's, token for token
    (tests/test_segmenter.py checks the corpus and arbitrary text), in about
    half jieba's time.
    """
    freq = tokenizer.FREQ
    logtotal = log(tokenizer.total)
    n = len(block)
    score = [0.0] * (n + 1)
    end = [0] * (n + 1)
    for start in range(n - 1, -1, -1):
        best = None
        last = start
        position = start
        fragment = block[start]
        while fragment in freq:
            count = freq[fragment]
            if count:
                value = log(count) - logtotal + score[position + 1]
                if best is None or value >= best:
                    best, last = value, position
            position += 1
            if position >= n:
                break
            fragment = block[start : position + 1]
        if best is None:  # no dictionary word starts here: the character alone
            best = log(freq.get(block[start]) or 1) - logtotal + score[start + 1]
        score[start], end[start] = best, last
    words = []
    start = 0
    while start < n:
        words.append(block[start : end[start] + 1])
        start = end[start] + 1
    return tuple(words)


@lru_cache(maxsize=65536)
def _cut_chinese(text: str) -> tuple[str, ...]:
    tokenizer = jieba_tokenizer()
    if _JIEBA_BLOCK.fullmatch(text) and hasattr(tokenizer, "FREQ"):
        return _cut_block(tokenizer, text)
    return tuple(tokenizer.cut(text, HMM=False))


def tokenize(text: str) -> list[str]:
    """Split already normalised text into word tokens.

    Parameters
    ----------
    text : str
        Text as returned by :func:`normalize_text`.

    Returns
    -------
    list of str
        Words; punctuation and spaces dropped, numbers as ``<num>``/``<pct>``.

    Examples
    --------
    >>> tokenize("bitcoin rose 40.5% on monday")
    ['bitcoin', 'rose', '<pct>', 'on', 'monday']
    >>> tokenize("央行宣布全面禁止虚拟货币交易")
    ['央行', '宣布', '全面禁止', '虚拟货币', '交易']
    """
    if not _HAN.search(text):
        return _words(text)
    # jieba sees only the runs of Chinese characters; Latin words and numbers
    # in between are tokenised exactly as in English text.
    tokens: list[str] = []
    for run in _HAN_RUN.finditer(text):
        if run.group(1) is not None:
            tokens.extend(_cut_chinese(run.group(1)))
        else:
            tokens.extend(_words(run.group(2)))
    return tokens
