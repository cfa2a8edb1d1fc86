"""stanceclf's one-pass segmentation gives jieba's words, token for token.

:func:`stanceclf.tokenization._cut_block` runs jieba's own dynamic programme
(``HMM=False``) on jieba's dictionary plus stanceclf's domain dictionary, in
one pass and about twice as fast. Word features must not change with it, so
every Chinese run of the whole corpus (seed documents, annotations,
translations, Traditional variants, supplementary sentences) and arbitrary
Chinese text must be cut exactly as ``jieba.Tokenizer.cut`` cuts them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanceclf.cleaning import clean_text
from stanceclf.corpus import build_training_set, load_seed_documents
from stanceclf.tokenization import _HAN_RUN, _JIEBA_BLOCK, _cut_block, jieba_tokenizer, normalize_text, tokenize


def _jieba(text: str) -> list[str]:
    return list(jieba_tokenizer().cut(text, HMM=False))


def _ours(text: str) -> list[str]:
    return list(_cut_block(jieba_tokenizer(), text))


def test_every_chinese_run_of_the_corpus_is_cut_as_jieba_cuts_it():
    texts = [e.text for e in build_training_set()] + [clean_text(d) for d in load_seed_documents().values()]
    runs = {m.group(1) for t in texts for m in _HAN_RUN.finditer(normalize_text(t)) if m.group(1)}
    blocks = [run for run in runs if _JIEBA_BLOCK.fullmatch(run)]
    assert len(blocks) > 3000
    assert [run for run in blocks if _ours(run) != _jieba(run)] == []


def test_the_domain_dictionary_is_used():
    # 数字人民币 and 稳定币 are words only through stanceclf/data/userdict.txt.
    assert _ours("数字人民币和稳定币") == _jieba("数字人民币和稳定币") == ["数字人民币", "和", "稳定币"]
    assert tokenize("数字人民币和稳定币") == ["数字人民币", "和", "稳定币"]


_chars = st.sampled_from(list("央行禁止虚拟货币交易比特币区块链挖矿产业基金的了和在发展支持监管人民银全面数字稳定") + ["\u9fd5", "\u4e00"])
_words = st.sampled_from(["数字人民币", "稳定币", "虚拟货币", "区块链技术", "全面禁止", "人民银行"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_chars | _words, min_size=1, max_size=24).map("".join))
def test_arbitrary_chinese_is_cut_as_jieba_cuts_it(text):
    # Repeated characters give segmentations of equal probability: jieba
    # breaks those ties toward the longer first word, and so must we.
    assert _ours(text) == _jieba(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FD5), min_size=1, max_size=30))
def test_any_common_chinese_characters_are_cut_as_jieba_cuts_them(text):
    assert _ours(text) == _jieba(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bitcoin rose 40.5% on monday", ["bitcoin", "rose", "<pct>", "on", "monday"]),
        ("1,200 services in 2021's first half", ["<num>", "services", "in", "<num>", "s", "first", "half"]),
        ("no numbers here", ["no", "numbers", "here"]),
        ("٣٠% rise and 3.5.1 release", ["<pct>", "rise", "and", "<num>", "release"]),
        ("it’s up 5 % today", ["it’s", "up", "<num>", "today"]),
        ("x1 and 2x", ["x", "<num>", "and", "<num>", "x"]),
        ("数字人民币试点扩大到10个城市", ["数字人民币", "试点", "扩大", "到", "<num>", "个", "城市"]),
    ],
)
def test_numbers_and_percentages_become_placeholders(text, expected):
    assert tokenize(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("ab1٣.,%' ’_-+比特") + ["\U0001d7ce"]), max_size=30))
def test_no_token_but_a_placeholder_holds_a_digit(text):
    for token in tokenize(text):
        assert token in ("<num>", "<pct>") or not any(c.isdecimal() for c in token)
