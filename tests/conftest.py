import pytest

import stanceclf

TINY_TEXTS = [
    "The central bank banned all crypto trading.",
    "Police arrested ten people for laundering money with bitcoin.",
    "央行宣布全面禁止虚拟货币交易。",
    "新疆责令挖矿企业全部停产整顿。",
    "The city will reward blockchain firms with a 2 million yuan fund.",
    "The government backs blockchain as a core technology.",
    "杭州设立百亿元区块链产业基金。",
    "数字人民币试点扩大到更多城市。",
    "Bitcoin rose 5% on Monday.",
    "Miners are moving to Kazakhstan.",
    "比特币周一上涨5%。",
    "分析师预计币价将继续震荡。",
]
TINY_LABELS = ["regulatory_crackdown"] * 4 + ["industry_support"] * 4 + ["market_commentary"] * 4


@pytest.fixture(scope="session")
def shipped_model():
    return stanceclf.load_model()


@pytest.fixture(scope="session")
def tiny_data():
    return list(TINY_TEXTS), list(TINY_LABELS)


@pytest.fixture(scope="session")
def tiny_model(tiny_data):
    return stanceclf.StanceClassifier().fit(*tiny_data)
