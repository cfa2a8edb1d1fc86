"""``stanceclf classify --jobs N`` writes exactly what ``--jobs 1`` writes."""

from __future__ import annotations

import pytest

from stanceclf import _parallel, cli
from stanceclf.corpus import build_training_set

FORMATS = ["text", "jsonl", "csv", "tsv"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    sentences = [e.text for e in build_training_set(["seeds", "translations"])]
    directory = tmp_path_factory.mktemp("jobs")
    first = directory / "news, part 1.txt"  # a name that CSV must quote
    lines = []
    for k, sentence in enumerate(sentences):
        lines.append(sentence)
        if k % 40 == 0:
            lines.append("<p>Bitcoin&nbsp;rose 5% on Monday.</p><p>央行宣布全面禁止虚拟货币交易。</p>")
        if k % 55 == 0:
            lines.append("")
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = directory / "second.md"
    second.write_text("---\ntitle: x\n---\n" + "\n".join(sentences[:30]), encoding="utf-8")
    return [str(first), str(second)]


def _run(capsys, argv) -> str:
    assert cli.main(argv) == 0
    return capsys.readouterr().out


@pytest.fixture
def small_pieces(monkeypatch):
    # Many blocks and many pieces per block out of a small input.
    monkeypatch.setattr(cli, "_BLOCK_BYTES", 8192)
    monkeypatch.setattr(_parallel, "_PIECE_CHARS", 1000)


@pytest.mark.parametrize("fmt", FORMATS)
def test_jobs_write_what_one_process_writes(fmt, inputs, capsys, small_pieces):
    expected = _run(capsys, ["classify", "--format", fmt, *inputs])
    assert expected.count("\n") > 300
    assert _run(capsys, ["classify", "--format", fmt, "--jobs", "2", *inputs]) == expected
    assert _run(capsys, ["classify", "--format", fmt, "--jobs", "3", inputs[0]]) == _run(
        capsys, ["classify", "--format", fmt, inputs[0]]
    )


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_jobs_must_be_a_positive_integer(value, inputs, capsys):
    assert cli.main(["classify", "--jobs", value, inputs[0]]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--jobs must be an integer >= 1" in error


def test_a_missing_file_is_reported_with_jobs(tmp_path, capsys):
    assert cli.main(["classify", "--jobs", "2", str(tmp_path / "absent.txt")]) == 2
    assert "no such file" in capsys.readouterr().err
