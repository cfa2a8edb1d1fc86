"""The lexicon's trie pattern finds exactly what the plain alternation of its cues finds.

The reference is the straightforward pattern: every cue, longest first, English
cues wrapped in word-boundary look-arounds. It is correct by construction but
about a hundred times slower, so :mod:`stanceclf.lexicon` compiles a trie of
the cues instead; these tests hold the two to the same matches.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanceclf.corpus import build_training_set
from stanceclf.lexicon import _compile, _trie_pattern, read_lexicon
from stanceclf.tokenization import normalize_text

PATTERN, CONCEPT_OF, _ = _compile(read_lexicon())
CUES = sorted(CONCEPT_OF)


def _reference(cues) -> re.Pattern[str]:
    alternatives = []
    for cue in sorted(cues, key=len, reverse=True):
        escaped = re.escape(cue)
        alternatives.append(escaped if re.search(r"[^\x00-\x7f]", cue) else rf"(?<![a-z0-9]){escaped}(?![a-z0-9])")
    return re.compile("|".join(alternatives))


REFERENCE = _reference(CUES)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]


def test_the_corpus_gives_the_same_matches():
    texts = [normalize_text(e.text) for e in build_training_set()]
    assert sum(len(_matches(PATTERN, t)) for t in texts) > 1000  # the lexicon does fire on the corpus
    for text in texts:
        assert _matches(PATTERN, text) == _matches(REFERENCE, text), text


@pytest.mark.parametrize(
    "text",
    ["lift the ban", "banned", "the ban.", "xban", "ban9", "解除禁令", "禁令", "央行禁止", "", "ban ban ban", "a\nban\nb"],
)
def test_boundaries_and_nesting(text):
    assert _matches(PATTERN, text) == _matches(REFERENCE, text)


_pieces = st.sampled_from(CUES + [" ", "a", "9", "-", ".", "\n", "的", "了", "s", "ed"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=12).map("".join) | st.text(alphabet="abn9 .禁令止央行解除", max_size=30))
def test_arbitrary_cue_mixtures_give_the_same_matches(text):
    assert _matches(PATTERN, text) == _matches(REFERENCE, text)


def test_small_trees_of_cues_give_the_same_matches():
    cues = ["ban", "banned", "bank", "lift the ban", "禁令", "解除禁令", "ai芯片", "ai"]
    pattern = re.compile(_trie_pattern(cues))
    reference = _reference(cues)
    for text in ["banned bank ban", "lift the bank", "解除禁令 ai芯片 ai", "xai芯片", "bankban", "ai"]:
        assert _matches(pattern, text) == _matches(reference, text)
