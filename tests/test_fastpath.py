"""The fast prediction path gives exactly scikit-learn's probabilities.

``StanceClassifier`` predicts through :mod:`stanceclf._fastpath`, which counts
character and word n-grams with numpy instead of scikit-learn's per-n-gram
Python loops.
These tests compare it with ``pipeline_.predict_proba`` (scikit-learn's own
path) bit for bit: on the whole seed corpus, on arbitrary text, for the shipped
model and for models with every feature family.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stanceclf
from stanceclf import _fastpath
from stanceclf.cleaning import clean_text
from stanceclf.corpus import build_training_set, load_seed_documents
from stanceclf.segmentation import segment_sentences

EDGE_CASES = ["", " ", "a", "I", " a b  c ", "ab cd e", "央 行", "é ü", "\t\n", "4%", "区块链" * 40]


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    texts = [e.text for e in build_training_set()]
    texts += [s.text for document in load_seed_documents().values() for s in segment_sentences(clean_text(document))]
    return texts + EDGE_CASES


@pytest.fixture(scope="module")
def full_model(tiny_data):
    # Word n-grams (jieba), character n-grams and lexicon concepts together.
    return stanceclf.StanceClassifier(features="word+char", use_lexicon=True).fit(*tiny_data)


def _assert_same(model, texts, *, fast: bool = True):
    if fast:  # else the comparison would be of scikit-learn with itself
        assert _fastpath._char_index(_char_vectorizer(model)) is not None
    expected = model.pipeline_.predict_proba(texts)
    actual = _fastpath.predict_proba(model.pipeline_, texts)
    assert actual.dtype == expected.dtype
    np.testing.assert_array_equal(actual, expected)
    assert model.predict(texts).tolist() == model.classes_[expected.argmax(axis=1)].tolist()


def _char_vectorizer(model):
    return dict(model.pipeline_.named_steps["features"].transformer_list)["char"]


@pytest.mark.parametrize("name", ["default", "seeds-only"])
def test_shipped_models_predict_exactly_as_scikit_learn_on_the_corpus(name, corpus):
    _assert_same(stanceclf.load_model(name), corpus)


def test_every_feature_family_predicts_exactly_as_scikit_learn(full_model, corpus):
    _assert_same(full_model, corpus)


@pytest.mark.parametrize("word_ngram_range", [(1, 1), (2, 3), (1, 3)])
def test_other_word_ngram_ranges_predict_exactly_as_scikit_learn(word_ngram_range, tiny_data, corpus):
    model = stanceclf.StanceClassifier(features="word", use_lexicon=False, word_ngram_range=word_ngram_range)
    _assert_same(model.fit(*tiny_data), corpus, fast=False)


@pytest.mark.parametrize("char_ngram_range", [(2, 3), (1, 1), (4, 4), (3, 5)])
def test_other_ngram_ranges_predict_exactly_as_scikit_learn(char_ngram_range, tiny_data, corpus):
    # (3, 5) is beyond 4 characters: scikit-learn's own path is taken.
    model = stanceclf.StanceClassifier(features="char", char_ngram_range=char_ngram_range).fit(*tiny_data)
    _assert_same(model, corpus, fast=char_ngram_range[1] <= 4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_arbitrary_text_predicts_exactly_as_scikit_learn(texts, shipped_model, full_model):
    _assert_same(shipped_model, texts)
    _assert_same(full_model, texts)


def test_text_holding_the_word_separator_predicts_exactly_as_scikit_learn(shipped_model, corpus):
    _assert_same(shipped_model, ["x\uffffy", "a \uffff b"])
    _assert_same(shipped_model, corpus[:50] + ["x\uffffy"])


def test_the_word_cache_starts_afresh_when_full(monkeypatch, shipped_model, corpus):
    monkeypatch.setattr(_fastpath, "_MAX_CACHED_WORDS", 50)
    for start in range(0, 400, 100):
        _assert_same(shipped_model, corpus[start : start + 100])


def test_a_refitted_vectorizer_is_not_served_from_a_stale_index(tiny_data):
    model = stanceclf.StanceClassifier(features="char").fit(*tiny_data)
    probe = ["Bitcoin rose 5% on Monday.", "央行宣布全面禁止虚拟货币交易。"]
    _assert_same(model, probe)
    texts, labels = tiny_data
    model.pipeline_.fit(texts[::-1] + ["mining ban"], labels[::-1] + ["regulatory_crackdown"])
    _assert_same(model, probe)


@pytest.mark.parametrize("classifier", ["logreg", "svm", "nb", "sgd"])
@pytest.mark.parametrize("n_labels", [2, 3])
def test_every_classifier_predicts_exactly_as_scikit_learn(classifier, n_labels, tiny_data, corpus):
    # Multinomial logistic regression is computed by _fastpath itself; two
    # labels and the other classifiers go through scikit-learn's predict_proba.
    texts, labels = tiny_data
    kept = sorted(set(labels))[:n_labels]
    pairs = [(t, y) for t, y in zip(texts, labels) if y in kept]
    model = stanceclf.StanceClassifier(classifier=classifier).fit([t for t, _ in pairs], [y for _, y in pairs])
    assert len(model.classes_) == n_labels
    _assert_same(model, corpus)
