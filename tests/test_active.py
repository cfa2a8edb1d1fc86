import csv
import io
import json

import numpy as np
import pytest

import stanceclf
from stanceclf.active import Suggestion, UnlabelledSentence, read_unlabelled, suggest, uncertainty, write_suggestions
from stanceclf.cli import main
from stanceclf.labels import LabelProblems, detect_label_format, read_labels

NEWS = (
    "Bitcoin fell 4% overnight. The regulator fined a broker.\n"
    "The city will pay subsidies to chip firms.\n"
    "\n"
    "The city will pay subsidies to chip firms!\n"
    "新任行长表示将继续支持金融科技。\n"
    "12345.\n"
)


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def news(tmp_path):
    path = tmp_path / "news.txt"
    path.write_text(NEWS, encoding="utf-8")
    return path


def test_text_files_give_sentences_with_their_lines(news):
    sentences = read_unlabelled(news)
    assert [(s.text, s.source) for s in sentences] == [
        ("Bitcoin fell 4% overnight.", f"{news}:1"),
        ("The regulator fined a broker.", f"{news}:1"),
        ("The city will pay subsidies to chip firms.", f"{news}:2"),
        ("The city will pay subsidies to chip firms!", f"{news}:4"),
        ("新任行长表示将继续支持金融科技。", f"{news}:5"),
        ("12345.", f"{news}:6"),
    ]
    assert {s.doc for s in sentences} == {"news.txt"}
    assert [s.lang for s in sentences][-2:] == ["zh", "en"]


def test_html_documents_are_cleaned_first(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body>\n<p>Bitcoin rose.</p>\n<p>央行发布通知。</p>\n</body></html>", encoding="utf-8")
    assert [(s.text, s.source.rsplit(":", 1)[1]) for s in read_unlabelled(path)] == [("Bitcoin rose.", "2"), ("央行发布通知。", "3")]


def test_jsonl_records_are_documents(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(
        json.dumps({"id": "a1", "text": "Bitcoin rose. Ether fell."}) + "\n"
        + json.dumps({"doc": "b2", "text": "央行发布通知。", "title": "x"}, ensure_ascii=False) + "\n"
        + json.dumps({"text": "No id."}) + "\n",
        encoding="utf-8",
    )
    assert [(s.text, s.doc, s.source) for s in read_unlabelled(path)] == [
        ("Bitcoin rose.", "a1", f"{path}:1"),
        ("Ether fell.", "a1", f"{path}:1"),
        ("央行发布通知。", "b2", f"{path}:2"),
        ("No id.", "articles.jsonl:3", f"{path}:3"),
    ]


def test_unreadable_input_is_reported(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"title": "no text"}\nnot json\n')
    with pytest.raises(LabelProblems) as error:
        read_unlabelled(path)
    assert [str(p) for p in error.value.problems] == [
        f"{path}:2: missing or empty 'text'",
        f"{path}:3: not valid JSON (Expecting value at column 1)",
    ]
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"ok\nCaf\xe9\n")
    with pytest.raises(LabelProblems, match=r"latin.txt:2: not UTF-8: byte 0xe9 at offset 6"):
        read_unlabelled(latin)


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("margin", [0.2, 1.0, 0.9]),
        ("entropy", [-(0.9 * np.log(0.9) + 0.1 * np.log(0.1)) / np.log(3), np.log(2) / np.log(3),
                     -(0.4 * np.log(0.4) + 0.6 * np.log(0.3)) / np.log(3)]),
    ],
)
def test_uncertainty(strategy, expected):
    proba = np.array([[0.9, 0.1, 0.0], [0.5, 0.5, 0.0], [0.4, 0.3, 0.3]])
    np.testing.assert_allclose(uncertainty(proba, strategy), expected, atol=1e-9)


class _FixedModel:
    """A stand-in model whose probabilities are known, to test the choice itself."""

    classes_ = np.array(["a", "b"])

    def __init__(self, table):
        self.table = table

    def predict_proba(self, texts):
        return np.array([[self.table[t], 1 - self.table[t]] for t in texts])


BASE = "The central bank said on Monday that it might act against crypto trading platforms soon."


def test_the_least_certain_sentences_come_first_and_near_duplicates_are_skipped():
    model = _FixedModel({
        "Sure thing about markets.": 0.99,
        BASE: 0.55,
        BASE.replace("said on Monday", "said Monday"): 0.52,  # near-duplicate: 3-gram Jaccard 0.92
        BASE.upper().replace(".", "!"): 0.51,  # the same text once normalised
        "Regulators weigh a new rule.": 0.6,
        "Already labelled sentence here.": 0.5,
        "42.": 0.5,  # no letter
    })
    picks = suggest(model, list(model.table), n=10, exclude=["Already labelled sentence here"])
    assert [p.text for p in picks] == [BASE.upper().replace(".", "!"), "Regulators weigh a new rule.", "Sure thing about markets."]
    assert (picks[0].model_label, picks[0].model_score, picks[0].margin) == ("a", pytest.approx(0.51), pytest.approx(0.02))
    # With only identical normalised texts counting as duplicates, the 3-gram neighbour comes back.
    loose = [p.text for p in suggest(model, list(model.table), n=10, similarity=1.0, exclude=["Already labelled sentence here."])]
    assert loose[:2] == [BASE.upper().replace(".", "!"), BASE.replace("said on Monday", "said Monday")]
    assert BASE not in loose


def test_a_one_word_change_of_stance_is_not_a_near_duplicate():
    model = _FixedModel({BASE: 0.5, BASE.replace("against", "for"): 0.5})  # Jaccard 0.84
    assert len(suggest(model, list(model.table))) == 2


def test_n_limits_the_suggestions(shipped_model, news):
    picks = suggest(shipped_model, read_unlabelled(news), n=2)
    assert len(picks) == 2
    assert picks[0].margin <= picks[1].margin


@pytest.mark.parametrize("fmt", ["csv", "label-studio", "doccano"])
def test_suggestions_once_labelled_are_read_back_as_training_data(tmp_path, shipped_model, news, fmt):
    picks = suggest(shipped_model, read_unlabelled(news), n=3)
    out = tmp_path / f"next.{'json' if fmt == 'label-studio' else 'csv' if fmt == 'csv' else 'jsonl'}"
    write_suggestions(picks, out, fmt)
    # Label them as a person would, in the tool the format is for.
    if fmt == "csv":
        rows = list(csv.DictReader(open(out, encoding="utf-8", newline="")))
        assert all(row["label"] == "" for row in rows)
        for row in rows:
            row["label"] = "mine"
        with open(out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif fmt == "label-studio":
        tasks = json.loads(out.read_text(encoding="utf-8"))
        for k, task in enumerate(tasks):
            task["id"] = k + 1
            task["annotations"] = [{"result": [{"type": "choices", "from_name": "label", "to_name": "text",
                                                "value": {"choices": ["mine"]}}], "was_cancelled": False}]
        out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    else:
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert all(r["label"] == [] for r in records)
        out.write_text("".join(json.dumps({**r, "label": ["mine"]}, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    assert detect_label_format(out) == ("csv" if fmt == "csv" else fmt)
    records = read_labels(out)
    assert [(r.text, r.label, r.doc) for r in records] == [(p.text, "mine", "news.txt") for p in picks]


def test_suggest_command_writes_csv_to_stdout(capsys, news):
    status, out, err = run(capsys, "suggest", "--data", news, "--n", "3")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    assert list(rows[0]) == ["text", "label", "doc", "source", "lang", "model_label", "model_score", "margin", "entropy"]
    assert "3 of 6 sentences suggested (margin), written to standard output" in err


def test_suggest_command_skips_what_is_already_labelled(capsys, tmp_path, news):
    labelled = tmp_path / "done.csv"
    labelled.write_text("text,label\nThe regulator fined a broker,regulatory_crackdown\n", encoding="utf-8")
    out = tmp_path / "next.jsonl"
    status, _, err = run(capsys, "suggest", "--data", news, "--exclude", labelled, "--format", "doccano", "--out", out,
                         "--strategy", "entropy")
    assert status == 0, err
    texts = [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert "The regulator fined a broker." not in texts
    assert len(texts) == 3  # 6 sentences: a number, a repeat and an already labelled one left out
    assert "12345." not in texts


def test_suggest_command_reports_bad_input_and_writes_nothing(capsys, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Caf\xe9\n")
    out = tmp_path / "next.csv"
    status, stdout, err = run(capsys, "suggest", "--data", bad, "--out", out)
    assert status == 2 and stdout == ""
    assert f"{bad}:1: not UTF-8: byte 0xe9 at offset 3" in err
    assert "nothing was written" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n": 0}, ValueError, "'n' parameter of suggest must be an int >= 1"),
        ({"similarity": 0}, ValueError, "'similarity' parameter of suggest must be a float in"),
        ({"strategy": "random"}, ValueError, "'strategy' parameter must be one of"),
        ({"exclude": "one text"}, TypeError, "'exclude' parameter of suggest must be an iterable of str"),
    ],
)
def test_suggest_argument_errors(shipped_model, kwargs, error, message):
    with pytest.raises(error, match=message):
        suggest(shipped_model, ["Bitcoin rose."], **kwargs)


def test_sentences_must_be_text(shipped_model):
    with pytest.raises(TypeError, match="Item 1 is int"):
        suggest(shipped_model, ["Bitcoin rose.", 5])


def test_write_suggestions_refuses_unknown_formats():
    s = Suggestion("x", "f:1", "f", "en", "a", 0.5, 0.0, 1.0, {})
    with pytest.raises(ValueError, match="'format' parameter of write_suggestions must be one of"):
        write_suggestions([s], io.StringIO(), "xml")


def test_unlabelled_sentences_can_be_given_directly(shipped_model):
    picks = suggest(shipped_model, [UnlabelledSentence("Bitcoin rose.", "mine:1", "mine", "en")])
    assert [(p.source, p.doc) for p in picks] == [("mine:1", "mine")]
    assert stanceclf.suggest is suggest
