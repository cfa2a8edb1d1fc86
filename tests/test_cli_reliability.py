"""The command line under bad files, huge files, closed pipes and Ctrl-C, run as a user runs it.

Every error is one line on stderr and exit status 2, or 1 when the run failed
after writing results; a traceback only with --debug.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stanceclf.cli import main

SCRIPT = str(Path(sys.executable).parent / "stanceclf")
N_LINES = 200_000
# Peak memory of classifying N_LINES lines may exceed that of a one-line file by
# at most this much. Measured: about +85 MB (200,000 or 1,000,000 lines alike);
# reading the whole file and classifying it at once takes about +675 MB.
MEMORY_BOUND_MB = 150
SENTENCES = [
    "The SEC sued the exchange on Monday.",
    "央行宣布全面禁止虚拟货币交易。",
    "Bitcoin rose 5% on Monday.",
    "杭州设立百亿元区块链产业基金。",
]


def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line(err: str):
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.txt"
    path.write_text("\n".join(SENTENCES[i % len(SENTENCES)] for i in range(N_LINES)) + "\n", encoding="utf-8")
    return path


# -- bad files ---------------------------------------------------------------------------------

def test_binary_file_is_refused_with_its_offset(capsys, tmp_path):
    png = tmp_path / "image.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    status, out, err = run(capsys, "classify", str(png))
    assert (status, out) == (2, "")
    assert f"{png}: not utf-8 text (invalid byte at offset 0); try --encoding" in err
    assert_one_line(err)


@pytest.mark.parametrize("content, offset", [(bytes(64), 0), ("Bitcoin rose.".encode("utf-16-le"), 1),
                                              (b"Bitcoin rose.\n\x00\x00", 14)])
def test_nul_bytes_mean_binary_not_text(capsys, tmp_path, content, offset):
    path = tmp_path / "data.bin"
    path.write_bytes(content)
    status, out, err = run(capsys, "classify", str(path))
    assert (status, out) == (2, "")
    assert f"not utf-8 text (NUL byte at offset {offset}: a binary file?); try --encoding" in err
    assert_one_line(err)


def test_encoding_option_reads_other_encodings(capsys, tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("央行宣布全面禁止虚拟货币交易。".encode("utf-16-le"))
    status, out, _ = run(capsys, "classify", "--encoding", "utf-16-le", str(path))
    assert status == 0 and out.split(maxsplit=2)[2].strip() == "央行宣布全面禁止虚拟货币交易。"
    status, _, err = run(capsys, "classify", "--encoding", "klingon", str(path))
    assert status == 2 and "--encoding: unknown encoding 'klingon'" in err


@pytest.mark.parametrize("fmt, expected", [("text", ""), ("jsonl", ""), ("csv", "file,index,start,end,lang,label,score,text\n")])
def test_empty_file_gives_no_sentence(capsys, tmp_path, fmt, expected):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    status, out, err = run(capsys, "classify", "--format", fmt, str(empty))
    assert (status, out, err) == (0, expected, "")


def test_missing_file_among_good_ones_writes_nothing(capsys, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Bitcoin rose.", encoding="utf-8")
    status, out, err = run(capsys, "classify", str(good), str(tmp_path / "missing.txt"))
    assert (status, out) == (2, "")
    assert f"{tmp_path / 'missing.txt'}: no such file" in err
    assert_one_line(err)


def test_directory_is_refused(capsys, tmp_path):
    status, out, err = run(capsys, "classify", str(tmp_path))
    assert (status, out) == (2, "") and f"{tmp_path}: is a directory" in err
    assert_one_line(err)


def _unreadable_for_the_child():
    """preexec_fn: take from a root child its power to read any file, so that chmod 000 holds."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="chmod and capabilities as on Linux")
def test_unreadable_file_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Bitcoin rose.", encoding="utf-8")
    secret.chmod(0)
    # Tests often run as root, who reads any file: the child then runs without that power.
    preexec = _unreadable_for_the_child if os.geteuid() == 0 else None
    try:
        probe = subprocess.run([sys.executable, "-c", f"open({str(secret)!r}).read()"], preexec_fn=preexec,
                               capture_output=True, text=True, timeout=60)
    except subprocess.SubprocessError as error:
        pytest.skip(f"cannot take the power to read any file from a root child here: {error}")
    if "PermissionError" not in probe.stderr:
        pytest.skip("cannot make a file unreadable here")
    done = subprocess.run([SCRIPT, "classify", str(secret)], preexec_fn=preexec, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"{secret}: permission denied\n"


def test_a_run_that_fails_midway_exits_1(capsys, tmp_path):
    # Over 1 MB of good lines, so results are written before the bad byte is read.
    path = tmp_path / "half.txt"
    path.write_bytes(b"Bitcoin rose 5% on Monday.\n" * 60_000 + b"caf\xe9\n")
    status, out, err = run(capsys, "classify", str(path))
    assert status == 1
    assert len(out.splitlines()) > 1000
    assert f"{path}: not utf-8 text (invalid byte at offset {27 * 60_000 + 3}); try --encoding" in err
    assert "the output is incomplete" in err
    assert_one_line(err)


def test_debug_shows_the_traceback(capsys, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 regulators banned trading.".encode("latin-1"))
    done = subprocess.run([SCRIPT, "--debug", "classify", str(bad)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr
    assert "not utf-8 text (invalid byte at offset 3)" in done.stderr
    status, _, err = run(capsys, "classify", str(bad))
    assert status == 2
    assert_one_line(err)


def test_unexpected_errors_are_one_line_too(capsys, monkeypatch, tmp_path):
    import stanceclf.cli as cli

    def broken(args):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(cli, "_load", broken)
    good = tmp_path / "good.txt"
    good.write_text("Bitcoin rose.", encoding="utf-8")
    status, out, err = run(capsys, "classify", str(good))
    assert (status, out) == (1, "")
    assert err == "stanceclf: RuntimeError: something nobody foresaw (run with --debug for the traceback)\n"
    with pytest.raises(RuntimeError):
        main(["--debug", "classify", str(good)])


# -- huge files, closed pipes, Ctrl-C: real processes ---------------------------------------------

def _peak_rss_mb(argv: list[str], stdout_path: Path) -> tuple[float, int, bytes]:
    with open(stdout_path, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child alone
    process.returncode = os.waitstatus_to_exitcode(status)
    err = process.stderr.read()
    process.stderr.close()
    return usage.ru_maxrss / 1024, process.returncode, err  # ru_maxrss is in KB on Linux


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KB, as on Linux")
def test_200000_lines_are_classified_in_bounded_memory(big_file, tmp_path):
    one_line = tmp_path / "one.txt"
    one_line.write_text(SENTENCES[0] + "\n", encoding="utf-8")
    baseline, status, err = _peak_rss_mb([SCRIPT, "classify", str(one_line)], tmp_path / "one.out")
    assert status == 0, err
    peak, status, err = _peak_rss_mb([SCRIPT, "classify", str(big_file)], tmp_path / "big.out")
    assert status == 0 and err == b"", err
    with open(tmp_path / "big.out", encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == N_LINES
    assert peak - baseline < MEMORY_BOUND_MB, f"peak {peak:.0f} MB, {peak - baseline:.0f} MB above a one-line run"


@pytest.mark.parametrize("argv", [["classify", "{big}"], ["classify", "--format", "jsonl", "{big}"],
                                  ["explain", "The central bank banned trading."]])
def test_closed_output_pipe_exits_quietly(big_file, argv):
    argv = [a.format(big=big_file) for a in argv]
    # As `stanceclf ... | head -1`, and (for explain) a reader that reads nothing at all.
    writer = subprocess.Popen([SCRIPT, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader = subprocess.Popen(["head", "-1"] if argv[0] == "classify" else ["true"], stdin=writer.stdout,
                              stdout=subprocess.PIPE)
    writer.stdout.close()  # only the reader holds the pipe now
    first, _ = reader.communicate(timeout=300)
    err = writer.stderr.read()
    writer.stderr.close()
    assert writer.wait(timeout=300) == 0, err
    assert err == b""
    if argv[0] == "classify":
        assert len(first.splitlines()) == 1


def test_ctrl_c_prints_one_line_and_exits_130(big_file, tmp_path):
    out_path = tmp_path / "partial.out"
    with open(out_path, "wb") as out:
        process = subprocess.Popen([SCRIPT, "classify", str(big_file)], stdout=out, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 300
        # Interrupted in the middle of the run: once the first results are out.
        while out_path.stat().st_size == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "finished before it could be interrupted"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=300)
    assert process.returncode == 130
    assert err == b"stanceclf: interrupted\n"
    assert 0 < len(out_path.read_bytes().splitlines()) < N_LINES
