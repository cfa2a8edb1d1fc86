import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanceclf import clean_text, clean_text_with_offsets


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Bitcoin rose.", "Bitcoin rose."),
        ("  two   spaces\tand a tab  ", "two spaces and a tab"),
        ("para one\n\n\n  para two  \n", "para one\npara two"),
        ("---\ntitle: 'x'\ntags:\n - a\n---\n\nBody text.", "Body text."),
        ("\n---\ntitle: x\n---\n<div><p>央行发布通知。</p><p>矿场关停。</p></div>", "央行发布通知。\n矿场关停。"),
        # decoded entities are text, not markup: "<tag>" survives
        ("<p>A&amp;B &lt;tag&gt; caf&eacute;&nbsp;here</p>", "A&B <tag> caf\u00e9 here"),
        ("<p>one<br>two<br/>three</p>", "one\ntwo\nthree"),
        ("<p>x</p><script>var a = '<p>';</script><style>p{}</style><!-- note --><p>y</p>", "x\ny"),
        ("<p><strong>Bold</strong> and <a href='u'>link</a>.</p>", "Bold and link."),
        ("Plain text with a < b and c > d & e.", "Plain text with a < b and c > d & e."),
        ("\u00a0\u00a0 Indented with no-break spaces", "Indented with no-break spaces"),
        ("", ""),
        ("   \n\t  ", ""),
        ("---\ntitle: only front matter\n---\n", ""),
        ("<div><p></p><br></div>", ""),
    ],
)
def test_clean_text_cases(raw, expected):
    assert clean_text(raw) == expected


def test_clean_text_front_matter_not_at_start_is_kept():
    assert clean_text("Intro\n---\nnot: front matter\n---") == "Intro\n---\nnot: front matter\n---"


def test_escaped_markup_in_html_is_cleaned_to_a_fixed_point():
    raw = "<p>&lt;p&gt;hidden tag&lt;/p&gt; text</p>"
    once = clean_text(raw)
    assert clean_text(once) == once


@pytest.mark.parametrize("bad", [None, b"bytes", 3, 2.5, ["list"]])
def test_clean_text_refuses_non_strings(bad):
    with pytest.raises(TypeError, match="'raw' parameter must be a str"):
        clean_text(bad)


@pytest.mark.parametrize(
    "raw",
    [
        "<p>Hi &amp; bye</p>",
        "---\na: 1\n---\n<div>  x  y </div>\n\n<p>z</p>",
        "no markup at all,   just   spaces\n\n\nand lines",
        "<p>中文&nbsp;内容</p>",
    ],
)
def test_offsets_point_at_the_raw_characters(raw):
    text, offsets = clean_text_with_offsets(raw)
    assert len(offsets) == len(text)
    assert np.all(np.diff(offsets) > 0)
    for char, where in zip(text, offsets):
        source = raw[where]
        assert char == source or (char in " \n" and source.isspace()) or raw[where] == "&"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_is_idempotent_on_any_text(raw):
    once = clean_text(raw)
    assert clean_text(once) == once


html_pieces = st.lists(
    st.sampled_from(["<p>", "</p>", "<br>", "<div class='a'>", "</div>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&lt;p&gt;",
                     "央行", "Bitcoin", " ", "\n", "。", ".", "---\n", "<strong>", "</strong>"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(html_pieces)
def test_clean_text_is_idempotent_on_html_like_text(raw):
    once = clean_text(raw)
    assert clean_text(once) == once
    assert "\n\n" not in once and once == once.strip()


def test_space_step_triggers_know_every_white_space_character():
    import sys

    from stanceclf import cleaning

    assert set(cleaning._WHITE_SPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


spacey_pieces = st.lists(
    st.sampled_from(["<p>", "</p>", "&amp;lt;br&amp;gt;", "&nbsp;", "---", "---\u00a0", "a: 1", "Bitcoin", "央行",
                     " ", "  ", "\n", "\r\n", "\t", "\u3000", "\u00a0", "\u2028", "\x1f", "\x0b", "x"]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(spacey_pieces, st.text()))
def test_skipped_steps_and_passes_change_nothing(raw):
    # clean_text skips a space step when no substring it would rewrite is
    # present, and a further pass when nothing in the text could change;
    # running every step and every pass must give the same text and offsets.
    from stanceclf import cleaning

    fast = clean_text_with_offsets(raw)
    saved = cleaning._STEP_TRIGGERS, cleaning._may_change_again
    cleaning._STEP_TRIGGERS = (("",), ("",))  # "" is in every text: always run
    cleaning._may_change_again = lambda text: True
    try:
        slow = clean_text_with_offsets(raw)
        assert clean_text(raw) == slow[0]
    finally:
        cleaning._STEP_TRIGGERS, cleaning._may_change_again = saved
    assert fast[0] == slow[0]
    assert fast[1].tolist() == slow[1].tolist()
    assert clean_text(raw) == fast[0]
