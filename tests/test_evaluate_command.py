import csv
import json

import pytest

from stanceclf.cli import main

ROWS = [
    {"text": "央行宣布全面禁止虚拟货币交易。", "label": "regulatory_crackdown", "source": "a"},
    {"text": "The central bank banned all crypto trading.", "label": "regulatory_crackdown", "source": "b"},
    {"text": "Bitcoin rose 5% on Monday.", "label": "market_commentary", "source": "c"},
    {"text": "杭州设立百亿元区块链产业基金。", "label": "industry_support", "source": "d"},
]


def _write(path, rows):
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter="\t" if path.suffix == ".tsv" else ",")
            writer.writeheader()
            writer.writerows(rows)
    return path


def _evaluate(capsys, path, *extra):
    status = main(["evaluate", "--data", str(path), "--format", "json", *extra])
    captured = capsys.readouterr()
    return status, captured


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".tsv"])
def test_json_report_has_the_quality_measures_for_every_format(capsys, tmp_path, suffix):
    status, captured = _evaluate(capsys, _write(tmp_path / f"mine{suffix}", ROWS))
    assert status == 0, captured.err
    report = json.loads(captured.out)
    assert {"macro_f1", "accuracy", "per_label", "confusion", "n"} <= set(report)
    assert report["n"] == len(ROWS)
    assert sum(map(sum, report["confusion"])) == len(ROWS)
    assert 0.0 <= report["macro_f1"] <= 1.0


def test_skip_records_are_left_out_and_counted(capsys, tmp_path):
    rows = ROWS + [{"text": "Related reading.", "label": "skip", "source": "e"}]
    status, captured = _evaluate(capsys, _write(tmp_path / "mine.jsonl", rows))
    report = json.loads(captured.out)
    assert status == 0
    assert report["n"] == len(ROWS)
    assert report["skipped"] == 1


def test_a_label_the_model_cannot_predict_counts_as_missed(capsys, tmp_path):
    rows = ROWS + [{"text": "A sentence of another label set.", "label": "other", "source": "e"}]
    status, captured = _evaluate(capsys, _write(tmp_path / "mine.jsonl", rows))
    report = json.loads(captured.out)
    assert status == 0
    assert "other" in report["labels"]
    assert report["per_label"]["other"]["recall"] == 0.0
    assert sum(map(sum, report["confusion"])) == report["n"] == len(rows)


def test_only_skip_records_is_a_one_line_error(capsys, tmp_path):
    path = _write(tmp_path / "mine.jsonl", [{"text": "Related reading.", "label": "skip"}])
    status, captured = _evaluate(capsys, path)
    assert status == 2
    assert captured.out == ""
    assert "no labelled records" in captured.err and len(captured.err.strip().splitlines()) == 1


def test_text_report_names_the_measures(capsys, tmp_path):
    status = main(["evaluate", "--data", str(_write(tmp_path / "mine.csv", ROWS))])
    out = capsys.readouterr().out
    assert status == 0
    assert "macro-F1" in out and "confusion" in out
