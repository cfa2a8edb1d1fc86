import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from stanceclf import clean_text, segment_sentences
from stanceclf._resources import seeds_dir
from stanceclf.cli import main

SEED_ZH = seeds_dir() / "004_57e0f5cb65e350e3.txt"
SEED_EN = seeds_dir() / "003_0578521f79b1716a.txt"


def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_classify_prints_one_line_per_sentence(capsys):
    status, out, err = run(capsys, "classify", str(SEED_ZH))
    assert status == 0, err
    sentences = segment_sentences(clean_text(SEED_ZH.read_text(encoding="utf-8")))
    lines = out.splitlines()
    assert len(lines) == len(sentences)
    for line, sentence in zip(lines, sentences):
        label, score, text = line.split(maxsplit=2)
        assert label in ("regulatory_crackdown", "industry_support", "market_commentary")
        assert 0.0 <= float(score) <= 1.0
        assert text == sentence.text


def test_classify_jsonl_has_offsets_into_the_cleaned_text(capsys):
    status, out, _ = run(capsys, "classify", "--format", "jsonl", str(SEED_EN))
    assert status == 0
    cleaned = clean_text(SEED_EN.read_text(encoding="utf-8"))
    records = [json.loads(line) for line in out.splitlines()]
    assert records and all(cleaned[r["start"]:r["end"]] == r["text"] for r in records)
    assert all(abs(sum(r["probabilities"].values()) - 1) < 1e-6 for r in records)


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_classify_csv_and_tsv(capsys, fmt, delimiter):
    status, out, _ = run(capsys, "classify", "--format", fmt, str(SEED_EN), str(SEED_ZH))
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out), delimiter=delimiter))
    assert {r["file"] for r in rows} == {str(SEED_EN), str(SEED_ZH)}
    assert set(rows[0]) == {"file", "index", "start", "end", "lang", "label", "score", "text"}


def test_classify_reads_stdin():
    done = subprocess.run([sys.executable, "-m", "stanceclf", "classify", "-"], input="比特币周一上涨5%。The central bank banned trading.",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["classify", "/no/such/file.txt"], "no such file"),
        (["classify", "--format", "xml", "x"], "invalid choice"),
        (["classify"], "the following arguments are required"),
        (["frobnicate"], "invalid choice"),
        (["classify", "--nonsense", "x"], "unrecognized arguments"),
        (["evaluate"], "--data FILE is required"),
    ],
)
def test_usage_errors_are_one_line_with_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_directory_and_bad_encoding_are_reported(capsys, tmp_path):
    status, _, err = run(capsys, "classify", str(tmp_path))
    assert status == 2 and "is a directory" in err
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 regulators banned trading.".encode("latin-1"))
    status, _, err = run(capsys, "classify", str(bad))
    assert status == 2 and "not utf-8 text" in err and "offset 3" in err


def test_explain_shows_ngrams_per_label(capsys):
    status, out, _ = run(capsys, "explain", "--format", "json", "The central bank banned crypto trading.")
    assert status == 0
    result = json.loads(out)
    assert result["label"] == "regulatory_crackdown"
    assert result["contributions"]["regulatory_crackdown"]


def test_evaluate_json_on_a_labelled_file(capsys, tmp_path):
    data = tmp_path / "mine.jsonl"
    rows = [{"text": "央行宣布全面禁止虚拟货币交易。", "label": "regulatory_crackdown"},
            {"text": "Bitcoin rose 5% on Monday.", "label": "market_commentary"},
            {"text": "Hangzhou set up a 10 billion yuan blockchain fund.", "label": "industry_support"}]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    status, out, _ = run(capsys, "evaluate", "--data", str(data), "--format", "json")
    assert status == 0
    report = json.loads(out)
    assert {"macro_f1", "accuracy", "per_label", "confusion", "n"} <= set(report)
    assert report["n"] == 3


def test_version_lists_dependencies(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for name in ("stanceclf", "scikit-learn", "numpy", "jieba", "python"):
        assert name in out


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "stanceclf"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "stanceclf 1." in done.stdout
