import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanceclf import clean_text, detect_language, segment_sentences


def texts(text):
    return [s.text for s in segment_sentences(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # English abbreviations, initials, decimals and percentages
        ("The U.S. Treasury acted. Markets fell.", ["The U.S. Treasury acted.", "Markets fell."]),
        ("Mr. Li and Dr. Wang met on Jan. 5. They agreed.", ["Mr. Li and Dr. Wang met on Jan. 5.", "They agreed."]),
        ("See Notice No. 237 for details. It is binding.", ["See Notice No. 237 for details.", "It is binding."]),
        ("Assets such as stablecoins, e.g. USDT, are covered. Others are not.",
         ["Assets such as stablecoins, e.g. USDT, are covered.", "Others are not."]),
        ("Bitcoin rose 40.5% to $61,300.25 on Monday. Ether followed.",
         ["Bitcoin rose 40.5% to $61,300.25 on Monday.", "Ether followed."]),
        ("J. K. Smith of the U.K. FCA spoke. He warned investors.",
         ["J. K. Smith of the U.K. FCA spoke.", "He warned investors."]),
        ("Is it over? Not yet! Wait.", ["Is it over?", "Not yet!", "Wait."]),
        # ellipses: a boundary only before a capitalised word
        ("Prices kept falling... and falling. Then... Nothing.", ["Prices kept falling... and falling.", "Then...", "Nothing."]),
        # closing quotes and brackets stay with their sentence
        ('He said: "It is illegal." The bank agreed.', ['He said: "It is illegal."', "The bank agreed."]),
        ("Trading stopped (as ordered.) Prices fell.", ["Trading stopped (as ordered.)", "Prices fell."]),
        ("“Blockchain is key.” Xi said so.", ["“Blockchain is key.”", "Xi said so."]),
        # Chinese
        ("央行发布通知。矿场全面关停！交易所会被屏蔽吗？", ["央行发布通知。", "矿场全面关停！", "交易所会被屏蔽吗？"]),
        ("他表示：“挖矿不利于环境。”监管将持续加强。", ["他表示：“挖矿不利于环境。”", "监管将持续加强。"]),
        ("《通知》要求：1、严禁新增项目；2、全面关停现有项目。", ["《通知》要求：1、严禁新增项目；2、全面关停现有项目。"]),
        ("比特币下跌3.5%，报3.2万美元。以太坊跟跌。", ["比特币下跌3.5%，报3.2万美元。", "以太坊跟跌。"]),
        ("「虛擬資產須領牌。」證監會表示。", ["「虛擬資產須領牌。」", "證監會表示。"]),
        # ASCII punctuation inside Chinese, as real pages have it
        ("监管加强了!市场下跌?是的.完了", ["监管加强了!", "市场下跌?", "是的.", "完了"]),
        # mixed Chinese and English
        ("币安、OKEx等关键词被屏蔽。Binance said it is checking.", ["币安、OKEx等关键词被屏蔽。", "Binance said it is checking."]),
        ("The PBoC (中国人民银行) said so. 市场下跌。", ["The PBoC (中国人民银行) said so.", "市场下跌。"]),
        # headlines on their own lines
        ("Heavy crackdown ahead\nThe regulator acted. Prices fell.", ["Heavy crackdown ahead", "The regulator acted.", "Prices fell."]),
        ("整顿虚拟货币挖矿\n昨天，新疆发布通知。", ["整顿虚拟货币挖矿", "昨天，新疆发布通知。"]),
        ("", []),
        ("   \n  ", []),
    ],
)
def test_segment_sentences_cases(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text, lang",
    [("Bitcoin rose.", "en"), ("央行发布通知。", "zh"), ("币安、OKEx等关键词被屏蔽。", "zh"),
     ("The People's Bank of China (人民银行) said so.", "en"), ("比特币ETF获批", "zh"), ("2021", "en"), ("虛擬資產", "zh")],
)
def test_language_of_sentences(text, lang):
    assert detect_language(text) == lang
    assert segment_sentences(text)[0].lang == lang


def test_offsets_index_the_given_text():
    text = clean_text("<p>Heavy!  The office issued rules.</p><p>  监管加强。 </p>")
    for sentence in segment_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize("bad", [None, b"x", 1, ["a"]])
def test_segment_sentences_refuses_non_strings(bad):
    with pytest.raises(TypeError, match="'text' parameter must be a str"):
        segment_sentences(bad)


def check_invariants(text):
    sentences = segment_sentences(text)
    position = 0
    covered = set()
    for s in sentences:
        assert s.start >= position and s.end > s.start
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
        assert s.lang in ("en", "zh")
        covered.update(range(s.start, s.end))
        position = s.end
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_segmentation_invariants_on_any_unicode(text):
    check_invariants(text)


realistic = st.lists(
    st.sampled_from([
        "The U.S. SEC sued the exchange.", "Bitcoin rose 40.5% on Monday!", "Mr. Wang said: \"No.\"",
        "央行发布通知。", "矿场全面关停！", "“挖矿不利于环境。”", "比特币下跌3.5%", "虛擬資產須領牌。",
        "OKEx", "...", "…", " ", "\n", "e.g.", "Is it?", "（完）", "Jan. 5", "屏蔽交易所\n",
    ]),
    max_size=25,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(realistic)
def test_segmentation_invariants_on_mixed_news_text(text):
    check_invariants(text)


raw_documents = st.lists(
    st.one_of(
        st.sampled_from([
            "<p>", "</p>", "<div class='x'>", "<br/>", "<script>var a = '<p>';</script>", "<!-- c -->", "<!--",
            "&amp;", "&lt;p&gt;", "&nbsp;", "---\ntitle: x\n---\n", "\u3000", "\u200b", "\r\n", "\t",
            "The U.S. SEC sued Mr. Li. ", "Bitcoin rose 40.5%! ", "央行发布通知。", "“挖矿不利于环境。”", "e.g. ", "…",
        ]),
        st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2),
        st.text(max_size=5),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(raw_documents)
def test_segmentation_invariants_on_cleaned_documents(raw):
    # What classify segments is the cleaned text: offsets must index it.
    check_invariants(clean_text(raw))
