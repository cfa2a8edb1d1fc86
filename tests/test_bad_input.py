"""Every public entry point against every kind of odd or broken input.

Each case gives the documented result, or raises ``TypeError``/``ValueError``
whose message names the argument, the position of the bad item (for lists)
and what was expected. Nothing may hang: every case runs under a watchdog far
above its normal time, so a regression to quadratic time fails here instead
of stalling the suite.
"""

import json
import re
import signal
from functools import lru_cache

import numpy as np
import pytest

from stanceclf import StanceClassifier, clean_text, segment_sentences
from stanceclf.labels import read_labels

MB10 = 10 * 1024 * 1024
WATCHDOG_SECONDS = 300


@lru_cache(maxsize=1)
def ten_megabytes() -> str:
    """10 MB on one line, shaped after what made cleaning and segmentation slow.

    Long sentences full of dots that end no sentence (lower case follows),
    Chinese clauses, then tags that never close, and unclosed comments.
    """
    sentence = "the price rose 5.5% on monday. mr. li of the u.s. sec said e.g. no. 央行宣布全面禁止虚拟货币交易，" * 30 + "Done! "
    text = "<p>" + sentence * (7 * 1024 * 1024 // len(sentence))
    text += "<script <div " * (1024 * 1024 // 13)
    return text + "<!--" * ((MB10 - len(text)) // 4 + 1)


# The contents: strings that every entry point taking text must handle.
CONTENTS = {
    "empty": "",
    "whitespace": " \t\n\u3000\u00a0 \r\n ",
    "punctuation": "!!! ... ？？ 。。。 --- *** ,,,",
    "10MB": None,  # built on first use: ten_megabytes()
    "lone-surrogates": "Bitcoin \ud800 rose. 央行\udfff禁止交易。",
    "control-and-zero-width": "Bit\u200bcoin\x00 rose\x07.\u200d 央行\ufeff禁止\u2060交易。\x1b[31m",
    "right-to-left": "البنك المركزي يحظر تداول العملات المشفرة. \u202eBitcoin\u202c rose.",
    "emoji": "Bitcoin 🚀🚀 to the moon 🌕! 比特币暴涨😀👍🏽👨\u200d👩\u200d👧",
    "full-width-latin": "Ｂｉｔｃｏｉｎ ｒｏｓｅ ５％ ｏｎ Ｍｏｎｄａｙ．",
    "mixed-zh-en": "央行宣布全面禁止Bitcoin交易。The SEC sued Binance. 比特币ETF获批！",
    "html-no-text": "<html><head><style>p{}</style><script>var a = '<p>x</p>';</script></head>"
    "<body><div><p></p><br/></div><!-- nothing --></body></html>",
    "front-matter-only": "---\ntitle: Bitcoin rose\ndate: 2021-06-01\n---\n",
}
# Contents with no sentence in them once cleaned.
NO_SENTENCE = {"empty", "whitespace", "html-no-text", "front-matter-only"}
# Contents with no character that is not white space.
BLANK = {"empty", "whitespace"}


def content(name: str) -> str:
    return ten_megabytes() if name == "10MB" else CONTENTS[name]


def generator():
    yield from ["Bitcoin rose.", "央行禁止交易。"]


# Values that are not one string: what list-taking entry points expect, or junk.
OTHERS = {
    "None": lambda: None,
    "bytes": lambda: b"Bitcoin rose.",
    "int": lambda: 42,
    "float": lambda: 3.5,
    "nan": lambda: float("nan"),
    "nested-list": lambda: [["Bitcoin rose."], "央行禁止交易。"],
    "numpy-str": lambda: np.array(["Bitcoin rose.", "央行禁止交易。"]),
    "numpy-object": lambda: np.array(["Bitcoin rose.", "央行禁止交易。"], dtype=object),
    "numpy-object-bad-item": lambda: np.array(["Bitcoin rose.", None], dtype=object),
    "numpy-2d": lambda: np.array([["Bitcoin rose.", "央行禁止交易。"]]),
    "pandas-series": lambda: pytest.importorskip("pandas").Series(["Bitcoin rose.", "央行禁止交易。"]),
    "pandas-series-nan": lambda: pytest.importorskip("pandas").Series(["Bitcoin rose.", float("nan")]),
    "generator": generator,
    "empty-list": lambda: [],
    "list-with-bytes": lambda: ["Bitcoin rose.", b"raw"],
}
VALID_LISTS = {"numpy-str", "numpy-object", "pandas-series", "generator"}


@pytest.fixture
def watchdog():
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - Windows
        yield
        return

    def expired(signum, frame):
        raise TimeoutError(f"no answer within {WATCHDOG_SECONDS} s: something is no longer linear in the input")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- what each entry point must say about a bad value ---------------------------------------

def list_error(name: str, case: str):
    """The error a list-taking parameter ``name`` must raise for OTHERS[case], or None if valid."""
    if case in VALID_LISTS:
        return None
    expected = {
        "None": (TypeError, rf"'{name}' parameter must be a list of str\. Got None \(type NoneType\)"),
        "bytes": (TypeError, rf"'{name}' parameter must be a list of str\. Got b'Bitcoin rose\.' \(type bytes\).*decode"),
        "int": (TypeError, rf"'{name}' parameter must be a list of str\. Got 42 \(type int\)"),
        "float": (TypeError, rf"'{name}' parameter must be a list of str\. Got 3\.5 \(type float\)"),
        "nan": (TypeError, rf"'{name}' parameter must be a list of str\. Got nan \(type float\)"),
        "nested-list": (TypeError, rf"'{name}' parameter must be a list of str\. Item 0 is \['Bitcoin rose\.'\] \(type list\)"),
        "numpy-object-bad-item": (TypeError, rf"'{name}' parameter must be a list of str\. Item 1 is None"),
        "numpy-2d": (ValueError, rf"'{name}' parameter must be one-dimensional\. Got an array with 2 dimensions"),
        "pandas-series-nan": (TypeError, rf"'{name}' parameter must be a list of str\. Item 1 is nan \(type float\)"),
        "list-with-bytes": (TypeError, rf"'{name}' parameter must be a list of str\. Item 1 is b'raw' \(type bytes\).*decode"),
    }
    return expected.get(case)


def text_error(name: str, case: str):
    """The error a str parameter ``name`` must raise for OTHERS[case]."""
    shown = {
        "None": "None", "bytes": r"b'Bitcoin rose\.'", "int": "42", "float": r"3\.5", "nan": "nan",
        "nested-list": r"\[\['Bitcoin rose\.'\]", "numpy-str": r"array\(", "numpy-object": r"array\(",
        "numpy-object-bad-item": r"array\(", "numpy-2d": r"array\(", "pandas-series": "", "pandas-series-nan": "",
        "generator": "<generator", "empty-list": r"\[\]", "list-with-bytes": r"\['Bitcoin rose\.'",
    }[case]
    return TypeError, rf"The '{name}' parameter must be a str\. Got {shown}"


# -- the API matrix: every entry point x every kind of value that is not one str -------------

TEXT_ENTRIES = {  # entry point -> the name of its str parameter
    "classify": "document",
    "explain": "text",
    "segment_sentences": "text",
    "clean_text": "raw",
}


def call_text_entry(entry, value, model):
    if entry == "classify":
        return model.classify(value)
    if entry == "explain":
        return model.explain(value)
    if entry == "segment_sentences":
        return segment_sentences(value)
    return clean_text(value)


@pytest.mark.parametrize("case", list(OTHERS))
@pytest.mark.parametrize("entry", list(TEXT_ENTRIES))
def test_text_entry_points_refuse_what_is_not_a_str(entry, case, shipped_model, watchdog):
    value = OTHERS[case]()
    error, message = text_error(TEXT_ENTRIES[entry], case)
    with pytest.raises(error, match=message):
        call_text_entry(entry, value, shipped_model)


def expected_labels_of(value) -> list[str]:
    return ["regulatory_crackdown", "market_commentary"][: len(list(value))]


@pytest.mark.parametrize("case", list(OTHERS))
@pytest.mark.parametrize("entry", ["predict", "predict_proba"])
def test_list_entry_points_on_values_that_are_not_one_str(entry, case, shipped_model, watchdog):
    value = OTHERS[case]()
    expected = list_error("X", case)
    call = getattr(shipped_model, entry)
    if expected is not None:
        with pytest.raises(expected[0], match=expected[1]):
            call(value)
        return
    result = call(value)
    reference = getattr(shipped_model, entry)(["Bitcoin rose.", "央行禁止交易。"])
    if case == "empty-list":
        assert result.shape == ((0,) if entry == "predict" else (0, len(shipped_model.classes_)))
    else:
        np.testing.assert_array_equal(result, reference)


def test_empty_list_gives_empty_results(shipped_model):
    assert shipped_model.predict([]).shape == (0,)
    assert shipped_model.predict_proba([]).shape == (0, len(shipped_model.classes_))


@pytest.mark.parametrize("case", list(OTHERS))
def test_fit_on_values_that_are_not_one_str(case, watchdog):
    value = OTHERS[case]()
    expected = list_error("X", case)
    if case == "empty-list":
        expected = (ValueError, r"'y' parameter of StanceClassifier\.fit must hold at least 2 distinct labels\. Got \[\]")
    labels = ["regulatory_crackdown", "market_commentary"]
    if expected is not None:
        with pytest.raises(expected[0], match=expected[1]):
            StanceClassifier().fit(value, labels if case != "empty-list" else [])
        return
    model = StanceClassifier().fit(value, labels)
    assert list(model.classes_) == sorted(labels)


@pytest.mark.parametrize("case", list(OTHERS))
def test_fit_checks_labels_like_texts(case, watchdog):
    value = OTHERS[case]()
    texts = ["The bank banned trading.", "Bitcoin rose."]
    expected = list_error("y", case)
    if case == "empty-list":
        expected = (ValueError, r"X and y must have the same length\. Got 2 texts and 0 labels")
    if expected is None:
        # Two valid labels, whatever container they come in.
        assert len(StanceClassifier().fit(texts, value).classes_) == 2
        return
    with pytest.raises(expected[0], match=expected[1]):
        StanceClassifier().fit(texts, value)


def test_fit_refuses_bare_strings_and_numeric_label_arrays():
    texts = ["The bank banned trading.", "Bitcoin rose."]
    with pytest.raises(TypeError, match=r"'X' parameter must be a list of str, not a single str\. Wrap it in a list"):
        StanceClassifier().fit("The bank banned trading.", ["a"])
    with pytest.raises(TypeError, match=r"'y' parameter must be a list of str, not a single str"):
        StanceClassifier().fit(texts, "ab")
    with pytest.raises(TypeError, match=r"'y' parameter of StanceClassifier\.fit must be a list of str labels\. Got an array of dtype int"):
        StanceClassifier().fit(texts, np.array([0, 1]))


@pytest.mark.parametrize("entry", ["predict", "predict_proba"])
def test_a_bare_string_is_refused_where_a_list_is_expected(entry, shipped_model):
    with pytest.raises(TypeError, match=r"The 'X' parameter must be a list of str, not a single str\. Wrap it in a list: \['Bitcoin rose\.'\]"):
        getattr(shipped_model, entry)("Bitcoin rose.")


@pytest.mark.parametrize("case", list(OTHERS))
def test_read_labels_refuses_what_is_not_a_path(case):
    value = OTHERS[case]()
    with pytest.raises(TypeError, match=r"The 'path' parameter of read_labels must be a str or Path\. Got \w+ instead"):
        read_labels(value)


def test_read_labels_on_a_bare_string_that_names_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="No such file: Bitcoin rose."):
        read_labels("Bitcoin rose.")


# -- the content matrix: every entry point x every kind of string ------------------------------

@pytest.mark.parametrize("name", list(CONTENTS))
def test_clean_text_on_any_content(name, watchdog):
    raw = content(name)
    cleaned = clean_text(raw)
    assert cleaned == cleaned.strip() and "\n\n" not in cleaned
    if name in NO_SENTENCE:
        assert cleaned == ""
    elif name == "10MB":
        # The unclosed comment at the end hides the rest, as in a browser.
        assert cleaned.startswith("the price rose 5.5% on monday.") and "<!--" not in cleaned
    else:
        assert cleaned == " ".join(raw.split())


@pytest.mark.parametrize("name", list(CONTENTS))
def test_segment_sentences_on_any_content(name, watchdog):
    text = content(name)
    sentences = segment_sentences(text)
    if name in BLANK:
        assert sentences == []
        return
    assert sentences, "text with a visible character has a sentence"
    assert all(text[s.start:s.end] == s.text and s.lang in ("en", "zh") for s in sentences)
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)
    if name == "10MB":
        # Dots followed by lower case end no sentence: one per "Done!", plus the markup tail.
        assert len(sentences) == text.count("Done! ") + 1


@pytest.mark.parametrize("name", list(CONTENTS))
def test_classify_on_any_content(name, shipped_model, watchdog):
    raw = content(name)
    predictions = shipped_model.classify(raw)
    if name in NO_SENTENCE:
        assert predictions == []
        return
    cleaned = clean_text(raw)
    if name == "10MB":  # segmenting 10 MB twice more would only repeat test_segment_sentences
        assert len(predictions) == cleaned.count("Done! ") + 1
    else:
        assert [p.text for p in predictions] == [s.text for s in segment_sentences(cleaned)]
    for p in predictions:
        assert cleaned[p.start:p.end] == p.text
        assert p.label in shipped_model.classes_
        assert p.score == max(p.probabilities.values())
        assert sum(p.probabilities.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("name", list(CONTENTS))
@pytest.mark.parametrize("entry", ["predict", "predict_proba"])
def test_predict_on_any_content(entry, name, shipped_model, watchdog):
    text = content(name)
    if entry == "predict":
        labels = shipped_model.predict([text, "Bitcoin rose."])
        assert labels.shape == (2,) and set(labels) <= set(shipped_model.classes_)
        if name in BLANK:
            assert labels[0] == shipped_model.predict([""])[0]
        return
    proba = shipped_model.predict_proba([text, "Bitcoin rose."])
    assert proba.shape == (2, len(shipped_model.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    if name in BLANK:
        # Nothing the model knows: the probabilities of the empty text.
        np.testing.assert_allclose(proba[0], shipped_model.predict_proba([""])[0])


@pytest.mark.parametrize("name", list(CONTENTS))
def test_explain_on_any_content(name, shipped_model, watchdog):
    text = content(name)
    explanation = shipped_model.explain(text, top=3)
    assert explanation.label in shipped_model.classes_
    if name != "10MB":  # one more pass over 10 MB would prove nothing new
        assert explanation.label == shipped_model.predict([text])[0]
    assert set(explanation.contributions) == {str(c) for c in shipped_model.classes_}
    if name in BLANK:
        assert all(features == [] for features in explanation.contributions.values())
    for features in explanation.contributions.values():
        assert len(features) <= 3 and all(weight > 0 for _, weight in features)


@pytest.mark.parametrize("name", list(CONTENTS))
def test_fit_on_any_content(name, tiny_data, watchdog):
    texts, labels = tiny_data
    text = content(name)
    model = StanceClassifier().fit([*texts, text], [*labels, "market_commentary"])
    assert list(model.classes_) == sorted(set(labels))
    assert model.predict([text])[0] in model.classes_


@pytest.mark.parametrize("text", ["", " \t\n\u3000", "!!! ... 。。。", "🚀🌕 😀👍🏽"])
def test_fit_on_nothing_but_blanks_punctuation_or_symbols_says_so(text):
    with pytest.raises(ValueError, match=r"The 'X' parameter of StanceClassifier\.fit holds nothing features='word\+char' can learn from"):
        StanceClassifier().fit([text, text], ["a", "b"])


@pytest.mark.parametrize("labels, message", [
    (["a", ""], r"must hold non-empty labels\. Item 1 is ''"),
    ([" ", "b"], r"must hold non-empty labels\. Item 0 is ' '"),
])
def test_fit_refuses_empty_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        StanceClassifier().fit(["The bank banned trading.", "Bitcoin rose."], labels)


def test_svm_needs_three_sentences_of_each_label(tiny_data):
    texts, labels = tiny_data
    with pytest.raises(ValueError, match=r"at least 3 sentences of every label with classifier='svm'.*\['a'\]"):
        StanceClassifier(classifier="svm").fit([*texts, "x"], [*labels, "a"])


@pytest.mark.parametrize("name", list(CONTENTS))
def test_read_labels_on_any_content(name, tmp_path, watchdog):
    path = tmp_path / "labels.jsonl"
    text = content(name)
    # json.dumps escapes lone surrogates (\ud800), as a JSON export would.
    path.write_text(json.dumps({"text": text, "label": "market_commentary"}) + "\n", encoding="utf-8")
    if name in BLANK or name == "lone-surrogates":
        problem = "missing or empty 'text'" if name in BLANK else "unpaired surrogate"
        with pytest.raises(ValueError, match=rf"{re.escape(str(path))}:1: .*{problem}"):
            read_labels(path)
        return
    records = read_labels(path)
    assert [(r.text, r.label) for r in records] == [(text, "market_commentary")]


def test_the_ten_megabyte_string_is_ten_megabytes():
    assert MB10 <= len(ten_megabytes()) < MB10 + 8
