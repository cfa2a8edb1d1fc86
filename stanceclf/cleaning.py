"""Turn a raw document (plain text, Markdown with front matter, or HTML) into clean text.

The *cleaned text* is what every offset in stanceclf points into. It is the raw
document with

* a leading YAML front-matter block (``---`` ... ``---``) removed;
* ``<script>``/``<style>`` blocks and HTML comments removed (one left
  unclosed runs to the end of the document, as in a browser), block-level tags
  (``<p>``, ``<div>``, ``<br>``, headings, list items, table rows) turned into
  line breaks, all other tags removed, and HTML entities decoded — but only when
  the document contains HTML tags, so that a literal ``&`` or ``<`` in plain
  text is left alone;
* non-breaking, zero-width-free horizontal white space collapsed to one
  ASCII space, every line stripped, empty lines dropped, so that paragraphs
  and headlines are separated by exactly one ``"\\n"``.

Cleaning is idempotent: ``clean_text(clean_text(raw)) == clean_text(raw)``
(for markup escaped up to seven levels deep: deeper levels are left as text,
so that cleaning stays linear in the length of any input).
:func:`clean_text_with_offsets` also returns, for every character of the
cleaned text, the index of the raw character it came from.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import numpy as np

from ._validation import check_text

__all__ = ["clean_text", "clean_text_with_offsets"]

_FRONT_MATTER = re.compile(r"\s*---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)  # used with .match
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|strong|em|b|i|a|img|h[1-6]|ul|ol|li|table|tr|td|th|"
    r"section|article|header|footer|blockquote|html|body|head|meta|title|font|"
    r"figure|figcaption|hr|pre|code|small|sup|sub|u)\b[^<>]*>",
    re.I,
)
# An unclosed block ends at the end of the text (\Z): otherwise every unclosed
# "<!--" would search the rest of the document again, in quadratic time.
_DROP_BLOCKS = re.compile(r"<(script|style)\b[^<>]*>.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)", re.S | re.I)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|tr|table|section|article|header|footer|"
    r"blockquote|figure|figcaption|hr|pre|title)\b[^<>]*>",
    re.I,
)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Horizontal white space: everything str.isspace() knows except line breaks.
_HSPACE = re.compile(r"[^\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_VSPACE = re.compile(r"\s*[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]\s*")

_Step = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _apply(text: str, offsets: np.ndarray | None, steps: list[_Step]) -> tuple[str, np.ndarray | None]:
    """Apply regex substitutions in order, carrying the raw-offset map along.

    A replacement that is no longer than its match maps its i-th character to
    the raw index of the match's i-th character, so offsets stay monotone.
    """
    if offsets is None:
        # No offsets to carry: re.sub does the same substitutions in C, without
        # a Python round trip per match (every space is a match of _HSPACE).
        for pattern, repl in steps:
            text = pattern.sub(_CONSTANT.get(repl, repl), text)
        return text, None
    for pattern, repl in steps:
        pieces: list[str] = []
        index_pieces: list[np.ndarray] = []
        last = 0
        for match in pattern.finditer(text):
            start, end = match.span()
            replacement = repl(match)
            pieces.append(text[last:start])
            pieces.append(replacement)
            if offsets is not None:
                index_pieces.append(offsets[last:start])
                index_pieces.append(offsets[start : start + len(replacement)])
            last = end
        if not pieces:
            continue
        pieces.append(text[last:])
        text = "".join(pieces)
        if offsets is not None:
            index_pieces.append(offsets[last:])
            offsets = np.concatenate(index_pieces)
    return text, offsets


def _empty(_: re.Match[str]) -> str:
    return ""


def _newline(_: re.Match[str]) -> str:
    return "\n"


def _space(_: re.Match[str]) -> str:
    return " "


# Replacements that ignore the match, as the plain strings re.sub takes fastest.
_CONSTANT: dict[Callable[[re.Match[str]], str], str] = {_empty: "", _newline: "\n", _space: " "}


def _unescape(match: re.Match[str]) -> str:
    decoded = html.unescape(match.group(0))
    # A decoded entity longer than its source cannot happen for real entities;
    # keep the source if it would, so the offset map stays one-to-one.
    return decoded if len(decoded) <= len(match.group(0)) else match.group(0)


_HTML_STEPS: list[_Step] = [
    (_DROP_BLOCKS, _empty),
    (_BLOCK_TAG, _newline),
    (_ANY_TAG, _empty),
    (_ENTITY, _unescape),
]
_SPACE_STEPS: list[_Step] = [(_HSPACE, _space), (_VSPACE, _newline)]
# What each space step rewrites: any white space but " " (str.isspace() is
# what \s means to these patterns), and " " twice. Text holding none of these
# substrings is left as it is by the step, which a few substring searches
# find out far faster than the regular expression's scan.
_WHITE_SPACE = tuple(c for c in map(chr, range(0x3001)) if c.isspace())  # U+3000 is the last
_STEP_TRIGGERS = (
    tuple(c for c in _WHITE_SPACE if c != " " and _HSPACE.fullmatch(c)) + ("  ",),
    tuple(c for c in _WHITE_SPACE if c != "\n" and not _HSPACE.fullmatch(c)) + (" \n", "\n ", "\n\n"),
)


def _clean_once(text: str, offsets: np.ndarray | None) -> tuple[str, np.ndarray | None]:
    # Blocks that follow one another all go in this pass: one pass per block
    # would make a text of many "---" blocks quadratic.
    end = 0
    while (match := _FRONT_MATTER.match(text, end)) is not None:
        end = match.end()
    if end:
        text = text[end:]
        if offsets is not None:
            offsets = offsets[end:]
    if _HTML_TAG.search(text):
        text, offsets = _apply(text, offsets, _HTML_STEPS)
    for step, triggers in zip(_SPACE_STEPS, _STEP_TRIGGERS):
        if any(trigger in text for trigger in triggers):
            text, offsets = _apply(text, offsets, [step])
    stripped = text.strip()
    if offsets is not None and stripped != text:
        lead = len(text) - len(text.lstrip())
        offsets = offsets[lead : lead + len(stripped)]
    return stripped, offsets


# Real pages escape markup at most two or three levels deep (``&amp;lt;p&amp;gt;``).
_MAX_PASSES = 8


def _clean(raw: str, offsets: np.ndarray | None) -> tuple[str, np.ndarray | None]:
    # Entities decoded in one pass (``&lt;p&gt;``) can form new tags; cleaning
    # until nothing changes makes clean_text idempotent. Each pass unwraps one
    # level of escaping, so the passes are capped: a crafted text escaped
    # hundreds of levels deep would otherwise take quadratic time.
    #
    # A pass leaves single spaces, lone line breaks and no white space at
    # either end, which the next pass's space steps keep as they are. So the
    # next pass can only change text that starts with front matter or holds a
    # tag (what it would strip or unescape), and is skipped otherwise.
    text = raw
    for _ in range(_MAX_PASSES):
        cleaned, offsets = _clean_once(text, offsets)
        if cleaned == text:
            break
        text = cleaned
        if not _may_change_again(text):
            break
    return text, offsets


def _may_change_again(cleaned: str) -> bool:
    return _FRONT_MATTER.match(cleaned) is not None or _HTML_TAG.search(cleaned) is not None


def clean_text(raw: str) -> str:
    """Return the cleaned text of a raw document.

    Parameters
    ----------
    raw : str
        A document: plain text, Markdown with YAML front matter, or HTML.

    Returns
    -------
    str
        The cleaned text (see the module docstring): no front matter, no
        markup, one ``"\\n"`` between paragraphs, single spaces inside lines.

    Examples
    --------
    >>> clean_text("---\\ntitle: x\\n---\\n<p>Bitcoin&nbsp;rose.</p><p>Again.</p>")
    'Bitcoin rose.\\nAgain.'
    """
    check_text(raw, "raw")
    return _clean(raw, None)[0]


def clean_text_with_offsets(raw: str) -> tuple[str, np.ndarray]:
    """Return the cleaned text and, per cleaned character, its index in ``raw``.

    Examples
    --------
    >>> text, offsets = clean_text_with_offsets("<p>Hi &amp; bye</p>")
    >>> text, offsets.tolist()
    ('Hi & bye', [3, 4, 5, 6, 11, 12, 13, 14])
    """
    check_text(raw, "raw")
    text, offsets = _clean(raw, np.arange(len(raw), dtype=np.int64))
    assert offsets is not None
    return text, offsets
