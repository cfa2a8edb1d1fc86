import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanceclf.baselines import KeywordRuleClassifier, read_keyword_rules
from stanceclf.corpus import LABELS
from stanceclf.lexicon import ConceptFeatures


@pytest.fixture(scope="module")
def rules():
    return KeywordRuleClassifier().fit(["unused"], ["market_commentary"])


def test_every_lexicon_concept_has_a_rule_to_a_known_label():
    rules = read_keyword_rules()
    assert set(rules) == set(ConceptFeatures().fit([]).concepts_)
    assert set(rules.values()) == set(LABELS)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The central bank banned all crypto trading.", "regulatory_crackdown"),
        ("央行宣布全面禁止虚拟货币交易。", "regulatory_crackdown"),
        ("央行宣布全面禁止虛擬貨幣交易。", "regulatory_crackdown"),
        ("杭州设立百亿元区块链产业基金。", "industry_support"),
        ("Bitcoin rose 5% on Monday.", "market_commentary"),
        ("Nothing to see here.", "market_commentary"),
    ],
)
def test_rules_label_obvious_sentences_in_both_languages(rules, text, label):
    assert rules.predict([text])[0] == label


def test_no_cue_gives_the_fallback(rules):
    other = KeywordRuleClassifier(fallback="industry_support").fit(["x"])
    assert rules.decision_function(["Nothing to see here."]).sum() == 0
    assert other.predict(["Nothing to see here."])[0] == "industry_support"
    assert "industry_support" in other.classes_


def test_ties_go_to_the_label_listed_first_in_the_rules_file(tmp_path):
    path = tmp_path / "rules.tsv"
    path.write_text("concept\tlabel\nprice_move\tmarket_commentary\nprohibition\tregulatory_crackdown\n", encoding="utf-8")
    text = "Bitcoin rose after the ban."
    tied = KeywordRuleClassifier(rules=path).fit([text])
    assert tied.decision_function([text]).tolist() == [[1.0, 1.0]]
    assert tied.predict([text])[0] == "market_commentary"


def test_probabilities_are_the_decision_one_hot(rules):
    texts = ["The central bank banned all crypto trading.", "Bitcoin rose 5% on Monday."]
    proba = rules.predict_proba(texts)
    assert proba.sum(axis=1).tolist() == [1.0, 1.0]
    assert rules.classes_[proba.argmax(axis=1)].tolist() == rules.predict(texts).tolist()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=5))
def test_any_text_gets_one_known_label(texts):
    rules = KeywordRuleClassifier().fit(["x"])
    predicted = rules.predict(texts)
    assert len(predicted) == len(texts)
    assert set(predicted) <= set(rules.classes_)
    assert rules.predict_proba(texts).shape == (len(texts), len(rules.classes_))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("concept\tlabel\nno_such_concept\tmarket_commentary\n", "concepts the lexicon does not have"),
        ("wrong\theader\n", "expected the header"),
        ("concept\tlabel\nprohibition\n", "2 non-empty"),
        ("concept\tlabel\nprohibition\ta\nprohibition\tb\n", "already has a rule"),
        ("concept\tlabel\n", "no rule"),
    ],
)
def test_bad_rule_files_are_named_with_their_line(tmp_path, content, message):
    path = tmp_path / "rules.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        KeywordRuleClassifier(rules=path).fit(["x"])


def test_fallback_must_be_a_label():
    with pytest.raises(ValueError, match="'fallback'"):
        KeywordRuleClassifier(fallback="").fit(["x"])


def test_predicting_before_fit_is_an_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        KeywordRuleClassifier().predict(["x"])


def test_empty_input_gives_empty_output(rules):
    assert rules.predict([]).shape == (0,)
    assert rules.predict_proba([]).shape == (0, len(rules.classes_))
    assert isinstance(rules.decision_function([]), np.ndarray)
