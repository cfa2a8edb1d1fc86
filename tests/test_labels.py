import csv
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stanceclf
from stanceclf.labels import (
    LABEL_FORMATS,
    LabelProblem,
    LabelProblems,
    detect_label_format,
    label_count_problems,
    load_labels,
    read_labels,
)

# The same four labelled sentences, as each supported format writes them.
ROWS = [
    ("The central bank banned all crypto trading.", "crackdown", "d1"),
    ("杭州设立百亿元区块链产业基金。", "support", "d1"),
    ("Bitcoin rose 5% on Monday, traders said.", "market", "d2"),
    ('A "quoted", comma-laden\nsentence over two lines.', "market", "d2"),
]
EXPECTED = [(text, label) for text, label, _ in ROWS]


def _write_csv(path, delimiter):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["id", "Text", "Label", "doc"])
        for number, (text, label, doc) in enumerate(ROWS):
            writer.writerow([number, text, label, doc])


def _write_lines(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def make_csv(tmp_path):
    path = tmp_path / "labels.csv"
    _write_csv(path, ",")
    return path


def make_tsv(tmp_path):
    path = tmp_path / "labels.tsv"
    _write_csv(path, "\t")
    return path


def make_jsonl(tmp_path):
    path = tmp_path / "labels.jsonl"
    _write_lines(path, [{"text": t, "label": lab, "doc": d} for t, lab, d in ROWS])
    return path


def make_doccano(tmp_path):
    path = tmp_path / "doccano-export.jsonl"
    _write_lines(path, [{"id": k, "text": t, "label": [lab], "doc": d, "Comments": []} for k, (t, lab, d) in enumerate(ROWS)])
    return path


def make_label_studio(tmp_path):
    path = tmp_path / "project-1-at-2024.json"
    tasks = [
        {
            "id": k + 1,
            "data": {"text": t, "doc": d},
            "annotations": [
                {
                    "id": 10 + k,
                    "completed_by": 1,
                    "result": [{"id": "r", "type": "choices", "from_name": "label", "to_name": "text",
                                "origin": "manual", "value": {"choices": [lab]}}],
                    "was_cancelled": False,
                    "ground_truth": False,
                    "lead_time": 3.2,
                }
            ],
            "predictions": [],
            "meta": {},
            "inner_id": k + 1,
        }
        for k, (t, lab, d) in enumerate(ROWS)
    ]
    tasks.append({"id": 99, "data": {"text": "Nobody labelled this one."}, "annotations": [], "predictions": []})
    tasks.append({"id": 100, "data": {"text": "Skipped by the annotator."},
                  "annotations": [{"result": [], "was_cancelled": True}]})
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def make_prodigy(tmp_path):
    path = tmp_path / "prodigy.jsonl"
    records = []
    for k, (t, lab, d) in enumerate(ROWS):
        if k % 2:  # choice interface
            records.append({"text": t, "options": [{"id": x, "text": x} for x in ("crackdown", "support", "market")],
                            "accept": [lab], "answer": "accept", "meta": {"doc": d}, "_input_hash": k, "_task_hash": -k})
        else:  # binary interface
            records.append({"text": t, "label": lab, "answer": "accept", "meta": {"doc": d}, "_input_hash": k})
    records.append({"text": "Not this label.", "label": "market", "answer": "reject"})
    records.append({"text": "Unsure.", "label": "market", "answer": "ignore"})
    _write_lines(path, records)
    return path


MAKERS = {
    "csv": make_csv,
    "tsv": make_tsv,
    "jsonl": make_jsonl,
    "doccano": make_doccano,
    "label-studio": make_label_studio,
    "prodigy": make_prodigy,
}


def test_every_format_has_a_fixture():
    assert set(MAKERS) == set(LABEL_FORMATS)


@pytest.mark.parametrize("fmt", LABEL_FORMATS)
def test_each_format_is_detected_and_read(tmp_path, fmt):
    path = MAKERS[fmt](tmp_path)
    assert detect_label_format(path) == fmt
    records = stanceclf.read_labels(path)
    assert [(r.text, r.label) for r in records] == EXPECTED
    assert [r.doc for r in records] == [d for _, _, d in ROWS]
    assert all(r.source.startswith(str(path) + ":") for r in records)


@pytest.mark.parametrize("fmt", LABEL_FORMATS)
def test_format_override_ignores_the_file_name(tmp_path, fmt):
    original = MAKERS[fmt](tmp_path)
    renamed = original.rename(tmp_path / "export.txt")
    assert [(r.text, r.label) for r in read_labels(renamed, format=fmt)] == EXPECTED


@pytest.mark.parametrize(
    "fmt, skipped",
    [
        ("label-studio", {"label-studio task without annotations": 1, "label-studio task with cancelled annotations only": 1}),
        ("prodigy", {"prodigy reject": 1, "prodigy ignore": 1}),
        ("csv", {}),
    ],
)
def test_records_without_a_label_by_design_are_counted(tmp_path, fmt, skipped):
    assert load_labels(MAKERS[fmt](tmp_path)).skipped == skipped


def test_csv_keeps_other_columns_as_metadata(tmp_path):
    records = read_labels(make_csv(tmp_path))
    assert records[0].metadata == {"id": "0", "doc": "d1"}
    assert records[3].source == f"{tmp_path / 'labels.csv'}:5"  # the record starts on line 5, ends on 6


def test_labels_are_kept_as_given(tmp_path):
    path = tmp_path / "any.jsonl"
    _write_lines(path, [{"text": "one", "label": "Label With Spaces"}, {"text": "two", "label": "标签"},
                        {"text": "three", "label": 1}])
    assert [r.label for r in read_labels(path)] == ["Label With Spaces", "标签", "1"]


def test_label_studio_annotators_who_disagree_are_a_conflict(tmp_path):
    path = tmp_path / "ls.json"
    choice = lambda label: {"result": [{"type": "choices", "value": {"choices": [label]}}], "was_cancelled": False}  # noqa: E731
    path.write_text(json.dumps([{"id": 7, "data": {"text": "Who knows?"}, "annotations": [choice("a"), choice("b")]}]),
                    encoding="utf-8")
    with pytest.raises(LabelProblems) as error:
        read_labels(path)
    assert [str(p) for p in error.value.problems] == [
        f"{path}:record 1: conflicting labels for the same text (record 1 'a', record 1 'b'): 'Who knows?'"
    ]
    assert [(r.text, r.label) for r in read_labels(path, on_conflict="last")] == [("Who knows?", "b")]


# -- validation ------------------------------------------------------------------------------

BROKEN_CSV = (
    b"text,label,doc\n"
    b"The bank banned trading.,crackdown,a\n"  # 2
    b",support,a\n"  # 3: empty text
    b"Bitcoin rose.,,b\n"  # 4: missing label
    b"Caf\xe9 owners accept bitcoin.,market,b\n"  # 5: latin-1 byte
    b"The city set up a fund.,support,c\n"  # 6
    b"The city  set up a fund.,support,c\n"  # 7: exact duplicate of 6 (white space aside)
    b"Miners moved abroad.,market,d\n"  # 8
    b"Miners moved abroad.,crackdown,d\n"  # 9: conflicts with 8
    b"one,two,three,four\n"  # 10: too many fields
    b"   ,market,e\n"  # 11: white space only
)


def test_a_broken_file_reports_every_problem_with_its_line(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN_CSV)
    with pytest.raises(LabelProblems) as error:
        load_labels(path, min_per_label=2)
    assert [str(p) for p in error.value.problems] == [
        f"{path}:3: missing or empty 'text'",
        f"{path}:4: missing label",
        f"{path}:5: not UTF-8: byte 0xe9 at offset 83; save the file as UTF-8",
        f"{path}:10: 4 fields, but the header has 3",
        f"{path}:11: missing or empty 'text'",
        f"{path}:8: conflicting labels for the same text (line 8 'market', line 9 'crackdown'): 'Miners moved abroad.'",
        f"{path}: label 'crackdown' has 1 usable example; 2-fold cross-validation needs at least 2 per label",
        f"{path}: label 'market' has 1 usable example; 2-fold cross-validation needs at least 2 per label",
        f"{path}: label 'support' has 1 usable example; 2-fold cross-validation needs at least 2 per label",
    ]
    assert BROKEN_CSV.index(b"\xe9") == 83


def test_the_problems_are_also_a_value_error_listing_them(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN_CSV)
    with pytest.raises(ValueError, match=r"6 problems in the input data:\n  .*broken.csv:3: missing or empty 'text'"):
        read_labels(path)


@pytest.mark.parametrize(
    "on_conflict, expected",
    [
        ("last", [("The bank banned trading.", "crackdown"), ("The city set up a fund.", "support"), ("Miners moved abroad.", "crackdown")]),
        ("drop", [("The bank banned trading.", "crackdown"), ("The city set up a fund.", "support")]),
    ],
)
def test_conflicts_can_keep_the_last_label_or_drop_the_text(tmp_path, on_conflict, expected):
    path = tmp_path / "conflict.csv"
    path.write_bytes(b"\n".join(line for k, line in enumerate(BROKEN_CSV.split(b"\n")) if k + 1 in (1, 2, 6, 7, 8, 9)))
    data = load_labels(path, on_conflict=on_conflict)
    assert [(r.text, r.label) for r in data.records] == expected
    assert data.duplicates == 1
    assert [(c.text, c.kept) for c in data.conflicts] == [("Miners moved abroad.", "crackdown" if on_conflict == "last" else None)]


def test_conflicts_across_files_name_both_files(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.jsonl"
    first.write_text("text,label\nSame sentence.,x\nOther.,y\n", encoding="utf-8")
    _write_lines(second, [{"text": "Same sentence.", "label": "y"}])
    with pytest.raises(LabelProblems) as error:
        load_labels([first, second])
    assert [str(p) for p in error.value.problems] == [
        f"{first}:2: conflicting labels for the same text (line 2 'x', {second}:1 'y'): 'Same sentence.'"
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"text": "a", "label": "x"}\nnot json\n[1, 2]\n{"label": "x"}\n{"text": 5, "label": "x"}\n{"text": "b", "label": 1.5}\n',
         ["2: not valid JSON (Expecting value at column 1)", "3: expected a JSON object, got list", "4: missing or empty 'text'",
          "5: 'text' must be a string, got int", "6: the label must be a string, got 1.5"]),
        ('{"text": "a", "label": ["x", "y"]}\n{"text": "b", "label": []}\n',
         ["1: 2 labels ['x', 'y']; one label per text is needed", "2: missing label"]),
        ('{"text": "a", "label": "x", "answer": "maybe"}\n{"text": "b", "accept": ["x", "y"], "answer": "accept"}\n',
         ["1: 'answer' must be 'accept', 'reject' or 'ignore', got \"maybe\"", "2: 2 options accepted ['x', 'y']; one label per text is needed"]),
    ],
    ids=["jsonl", "doccano", "prodigy"],
)
def test_json_lines_problems(tmp_path, content, message):
    path = tmp_path / "data.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelProblems) as error:
        read_labels(path)
    assert [str(p) for p in error.value.problems] == [f"{path}:{m}" for m in message]


def test_label_studio_problems_name_the_record(tmp_path):
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([
        {"id": 1, "data": {"sentence": "x"}, "annotations": []},
        {"id": 2, "data": {"text": "y"}, "annotations": [{"result": [{"type": "choices", "value": {"choices": ["a", "b"]}}]}]},
        {"id": 3, "data": {"text": "z"}, "annotations": [{"result": []}]},
        "not a task",
    ]), encoding="utf-8")
    with pytest.raises(LabelProblems) as error:
        read_labels(path)
    assert [str(p) for p in error.value.problems] == [
        f"{path}:record 1: missing 'data.text' (data has keys: 'sentence')",
        f"{path}:record 2: an annotation chose 2 labels ['a', 'b']; one label per text is needed",
        f"{path}:record 3: missing label",
        f"{path}:record 4: expected a JSON object, got str",
    ]


def test_csv_without_the_needed_columns(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("sentence,category\na,b\n", encoding="utf-8")
    with pytest.raises(LabelProblems) as error:
        read_labels(path)
    assert [str(p) for p in error.value.problems] == [
        f"{path}:1: the header has no 'text' or 'label' column (columns: 'sentence', 'category')"
    ]


def test_utf16_and_empty_files(tmp_path):
    utf16 = tmp_path / "excel.csv"
    utf16.write_bytes("text,label\na,b\n".encode("utf-16"))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(LabelProblems) as error:
        load_labels([utf16, empty])
    assert [str(p) for p in error.value.problems] == [
        f"{utf16}: the file is UTF-16; save it as UTF-8",
        f"{empty}: no labelled records",
    ]


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbftext,label\nBitcoin rose.,up\n")
    assert [(r.text, r.label) for r in read_labels(path)] == [("Bitcoin rose.", "up")]


def test_label_count_problems():
    rows = [stanceclf.LabelledText("a", "x", "f.csv:2")]
    assert [str(p) for p in label_count_problems(rows, 1)] == ["f.csv: found 1 label ('x'); training needs at least 2"]
    assert label_count_problems(rows + [stanceclf.LabelledText("b", "y", "f.csv:3")], 1) == []


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda p: read_labels(3), TypeError, "'path' parameter of read_labels must be a str or Path. Got int"),
        (lambda p: read_labels(p, format="xml"), ValueError, "'format' parameter of read_labels must be one of"),
        (lambda p: read_labels(p, on_conflict="first"), ValueError, "'on_conflict' parameter of read_labels must be one of"),
        (lambda p: load_labels([]), ValueError, "must name at least one file"),
        (lambda p: load_labels(p, min_per_label=0), ValueError, "'min_per_label' parameter of load_labels must be an int >= 1"),
        (lambda p: read_labels(p.parent / "missing.csv"), FileNotFoundError, "No such file"),
        (lambda p: read_labels(p.parent), IsADirectoryError, "is a directory"),
    ],
)
def test_argument_errors(tmp_path, call, error, message):
    path = make_csv(tmp_path)
    with pytest.raises(error, match=message):
        call(path)


def test_problem_locations():
    assert str(LabelProblem("f.csv", "m", line=3)) == "f.csv:3: m"
    assert str(LabelProblem("f.json", "m", record=2)) == "f.json:record 2: m"
    assert str(LabelProblem("f.json", "m")) == "f.json: m"


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).filter(lambda t: t.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, label=_TEXT)
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_any_text_and_label_survive_a_round_trip(tmp_path, fmt, text, label):
    path = tmp_path / f"any.{fmt}"
    if fmt == "jsonl":
        _write_lines(path, [{"text": text, "label": label}])
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="," if fmt == "csv" else "\t")
            writer.writerows([["text", "label"], [text, label]])
    [record] = read_labels(path, format=fmt)
    assert (record.text, record.label) == (text, label.strip())
