"""The shipped model: rebuildable from the seeds, and as good as its card says."""

import numpy as np
import pytest

from stanceclf import StanceClassifier, read_model_card
from stanceclf.corpus import load_annotations
from stanceclf.evaluation import leave_one_document_out
from stanceclf.persistence import params_from_card
from stanceclf.training import train_model

# Floors sit a little under the measured numbers, so an honest regression fails.
FLOORS = {
    "default": {"pooled_macro_f1": 0.70, "zh_accuracy": 0.80},
    "seeds-only": {"pooled_macro_f1": 0.40, "zh_accuracy": 0.45},
}


@pytest.fixture(scope="module")
def seed_texts():
    return [r["text"] for r in load_annotations()]


@pytest.mark.parametrize("name", ["default", "seeds-only"])
def test_rebuilt_model_predicts_exactly_what_the_shipped_one_predicts(name, seed_texts):
    import stanceclf

    shipped = stanceclf.load_model(name)
    card = read_model_card(name)
    rebuilt, _ = train_model(card["training_data"]["ingredients"], params=params_from_card(card), cross_validate=False)
    assert rebuilt.predict(seed_texts).tolist() == shipped.predict(seed_texts).tolist()
    np.testing.assert_allclose(rebuilt.predict_proba(seed_texts), shipped.predict_proba(seed_texts), atol=1e-6)


@pytest.mark.parametrize("name", ["default", "seeds-only"])
def test_quality_floor_and_card_metrics_are_what_cross_validation_measures(name):
    card = read_model_card(name)
    result = leave_one_document_out(lambda: StanceClassifier(**params_from_card(card)), card["training_data"]["ingredients"])
    pooled = result.report()
    zh = result.report(lang="zh")
    floor = FLOORS[name]
    print(f"{name}: pooled macro-F1 want >= {floor['pooled_macro_f1']:.2f} got {pooled['macro_f1']:.3f}; "
          f"zh accuracy want >= {floor['zh_accuracy']:.2f} got {zh['accuracy']:.3f}")
    assert pooled["macro_f1"] >= floor["pooled_macro_f1"], f"want >= {floor['pooled_macro_f1']} got {pooled['macro_f1']:.3f}"
    assert zh["accuracy"] >= floor["zh_accuracy"], f"want >= {floor['zh_accuracy']} got {zh['accuracy']:.3f}"
    assert card["metrics"]["pooled"]["macro_f1"] == pytest.approx(pooled["macro_f1"], abs=1e-9)
    assert card["metrics"]["per_language"]["zh"]["accuracy"] == pytest.approx(zh["accuracy"], abs=1e-9)


@pytest.mark.parametrize(
    "sentence, label",
    [
        ("央行宣布全面禁止虚拟货币交易", "regulatory_crackdown"),
        ("Bitcoin rose 5% on Monday", "market_commentary"),
        ("The city will give blockchain start-ups a 100 million yuan fund and free office space.", "industry_support"),
        ("香港證監會宣布向兩家虛擬資產交易平台發牌。", "industry_support"),
        ("內地監管機構再次重申，虛擬貨幣相關業務活動屬於非法金融活動。", "regulatory_crackdown"),
    ],
)
def test_shipped_model_gets_plain_cases_right(shipped_model, sentence, label):
    assert shipped_model.predict([sentence])[0] == label


def test_traditional_input_is_classified_like_simplified(shipped_model):
    from stanceclf.tokenization import to_simplified

    traditional = ["香港證監會宣布向兩家虛擬資產交易平台發牌。", "比特幣週一下跌百分之五。", "警方拘捕涉嫌洗錢的犯罪集團。"]
    simplified = [to_simplified(t) for t in traditional]
    np.testing.assert_allclose(shipped_model.predict_proba(traditional), shipped_model.predict_proba(simplified))


def test_classify_keeps_original_text_and_offsets(shipped_model):
    from stanceclf import clean_text

    document = "<p>香港證監會向交易平台發牌。</p><p>Bitcoin fell 3%.</p>"
    cleaned = clean_text(document)
    predictions = shipped_model.classify(document)
    assert [p.text for p in predictions] == ["香港證監會向交易平台發牌。", "Bitcoin fell 3%."]
    assert all(cleaned[p.start:p.end] == p.text for p in predictions)
    assert [p.lang for p in predictions] == ["zh", "en"]


def test_summary_shares_and_top_sentences(shipped_model):
    from stanceclf._resources import seeds_dir

    raw = (seeds_dir() / "004_57e0f5cb65e350e3.txt").read_text(encoding="utf-8")
    summary = shipped_model.summarize(raw, top=2)
    assert summary.n_sentences == len(shipped_model.classify(raw))
    assert sum(summary.shares.values()) == pytest.approx(1.0)
    assert summary.shares["regulatory_crackdown"] > 0.4
    for label, top in summary.top_sentences.items():
        assert len(top) <= 2 and all(p.label == label for p in top)
        assert [p.score for p in top] == sorted((p.score for p in top), reverse=True)


@pytest.mark.parametrize("readme", ["README.md", "models/README.md"])
def test_readmes_quote_the_card_metrics(readme):
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / readme
    if not path.is_file():
        pytest.skip(f"{readme} is not part of this installation")
    text = path.read_text(encoding="utf-8")
    for name in ("default", "seeds-only"):
        metrics = read_model_card(name)["metrics"]
        assert f"{metrics['pooled']['macro_f1']:.3f}" in text
        assert f"{metrics['pooled']['accuracy']:.3f}" in text
        assert f"{metrics['per_language']['zh']['accuracy']:.3f}" in text
