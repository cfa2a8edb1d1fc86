"""Properties of the model on arbitrary text, checked with hypothesis.

Two kinds of input: arbitrary Unicode (lone surrogates, control and format
characters included), and realistic documents mixing Chinese and English
sentences of the seed corpus with the separators and markup scraped pages
have. The segmentation properties live in tests/test_segmentation.py.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stanceclf import build_training_set, clean_text, segment_sentences

EXAMPLES = 300  # per property and strategy; enough to find odd characters, fast enough for CI
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_character = st.one_of(
    st.characters(),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates: st.characters() leaves them out
    st.sampled_from("\x00\x07\x1b\u200b\u200d\u2060\ufeff\u202e\u3000\u00a0。！？.!?…\n"),
)
any_text = st.text(any_character, max_size=200)

SEED_SENTENCES = sorted({e.text for e in build_training_set(["seeds", "translations"])})
realistic_sentence = st.one_of(
    st.sampled_from(SEED_SENTENCES),
    st.sampled_from(["比特币ETF获批！", "The SEC sued Binance.", "央行：严禁虚拟货币交易", "Ｂｉｔｃｏｉｎ ５％", "OKEx", "…", "🚀"]),
)
separator = st.sampled_from(["", " ", "\n", "\n\n", "<p>", "</p><p>", "<br/>", "&nbsp;", "\u3000"])
document = st.lists(st.tuples(realistic_sentence, separator), min_size=0, max_size=8).map(
    lambda pairs: "".join(sentence + sep for sentence, sep in pairs)
)
texts = st.lists(st.one_of(any_text, realistic_sentence), min_size=0, max_size=6)


@PROPERTY_SETTINGS
@given(texts)
def test_predict_returns_one_of_the_classes(shipped_model, batch):
    labels = shipped_model.predict(batch)
    assert labels.shape == (len(batch),)
    assert set(labels) <= set(shipped_model.classes_)


@PROPERTY_SETTINGS
@given(texts)
def test_predict_proba_rows_are_distributions(shipped_model, batch):
    proba = shipped_model.predict_proba(batch)
    assert proba.shape == (len(batch), len(shipped_model.classes_))
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-9)
    if len(batch):
        # The label is the most probable class, and a text's row does not depend on its batch.
        np.testing.assert_array_equal(shipped_model.predict(batch), shipped_model.classes_[proba.argmax(axis=1)])
        np.testing.assert_allclose(shipped_model.predict_proba(batch[-1:])[0], proba[-1], rtol=0, atol=1e-12)


def check_classify_agrees_with_predict(model, raw):
    predictions = model.classify(raw)
    cleaned = clean_text(raw)
    sentences = segment_sentences(cleaned)
    assert [(p.text, p.start, p.end, p.lang) for p in predictions] == [(s.text, s.start, s.end, s.lang) for s in sentences]
    if not sentences:
        return
    texts = [s.text for s in sentences]
    assert [p.label for p in predictions] == model.predict(texts).tolist()
    proba = model.predict_proba(texts)
    for p, row in zip(predictions, proba):
        assert list(p.probabilities) == [str(c) for c in model.classes_]
        np.testing.assert_allclose(list(p.probabilities.values()), row, rtol=0, atol=1e-12)
        assert p.score == p.probabilities[p.label]


@PROPERTY_SETTINGS
@given(document)
def test_classify_agrees_with_predict_on_mixed_news(shipped_model, raw):
    check_classify_agrees_with_predict(shipped_model, raw)


@PROPERTY_SETTINGS
@given(any_text)
def test_classify_agrees_with_predict_on_any_unicode(shipped_model, raw):
    check_classify_agrees_with_predict(shipped_model, raw)
