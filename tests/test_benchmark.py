"""The benchmark harness, run for real in its --quick mode into a temporary directory."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stanceclf.training import DEFAULT_INGREDIENTS, DEFAULT_PARAMS

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "benchmarks" / "run.py"
SECTIONS = {
    "name", "mode", "command", "date", "environment", "protocol", "shipped", "fasttext", "systems", "ablation",
    "cross_lingual", "learning_curve", "calibration", "cost", "error_analysis", "figures", "timing",
}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("benchmark")
    committed = {p: p.stat().st_mtime_ns for p in (REPO / "benchmarks").glob("*.md")}
    process = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--out-dir", str(out), "--name", "ci"],
        capture_output=True, text=True, timeout=900, cwd=REPO,
    )
    assert process.returncode == 0, process.stderr[-4000:]
    assert {p: p.stat().st_mtime_ns for p in committed} == committed, "the quick run touched the committed report"
    data = json.loads((out / "results" / "ci.json").read_text(encoding="utf-8"))
    return out, data, process.stderr


def test_results_have_every_section(quick):
    _, data, _ = quick
    assert SECTIONS <= set(data)
    assert data["mode"] == "quick"
    environment = data["environment"]
    for name in ("python", "stanceclf", "scikit-learn", "numpy", "jieba"):
        assert environment["versions"][name]
    assert environment["cpu_cores"] >= 1 and environment["cpu_model"]


def test_baselines_and_the_shipped_default_are_scored_on_the_same_sentences(quick):
    _, data, _ = quick
    names = {row["name"] for row in data["systems"]}
    assert {"majority class", "keyword rules"} <= names
    shipped = [row for row in data["systems"] if row["shipped"]]
    assert len(shipped) == 1
    assert shipped[0]["params"] == json.loads(json.dumps(DEFAULT_PARAMS))
    assert shipped[0]["ingredients"] == list(DEFAULT_INGREDIENTS)
    sizes = {row["pooled"]["n"] for row in data["systems"]}
    assert sizes == {data["protocol"]["n_scored_sentences"]}
    for row in data["systems"]:
        ci = row["macro_f1_ci"]
        assert ci["low"] <= row["pooled"]["macro_f1"] <= ci["high"]
        assert {"en", "zh"} <= set(row["per_language"])
        assert "brier" in row["pooled"] and "ece" in row["pooled"]


def test_fasttext_is_measured_or_the_report_says_why_not(quick):
    out, data, _ = quick
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    if data["fasttext"]["installed"]:
        assert any(row["family"] == "fasttext" for row in data["systems"])
        assert data["cost"]["fasttext"]["artifact_bytes"] > 0
        assert "stanceclf / fasttext_predict_only" in data["cost"]["throughput"]["languages"]["en"]["ratios"]
    else:
        assert "not installed" in data["fasttext"]["note"]
        assert "fastText was not measured" in report


def test_speed_and_cost_are_reported_per_language(quick):
    _, data, _ = quick
    cost = data["cost"]
    for lang in ("en", "zh"):
        rates = cost["throughput"]["languages"][lang]["sentences_per_second"]
        assert rates["stanceclf"]["median"] > 0
    assert "jieba_hmm_off" in cost["throughput"]["languages"]["zh"]["sentences_per_second"]
    assert cost["stanceclf"]["import_seconds"]["median"] > 0
    assert cost["stanceclf"]["load"]["load_model"]["median"] > 0
    assert cost["stanceclf"]["train"]["fit"]["median"] > 0
    assert cost["stanceclf"]["artifact_bytes"] > 0
    assert cost["stanceclf"]["memory"]["peak_rss_mb"] > 0


def test_learning_curve_ablation_and_cross_lingual_rows(quick):
    _, data, _ = quick
    curve = data["learning_curve"]
    assert [p["fraction"] for p in curve] == sorted(p["fraction"] for p in curve) and curve[-1]["fraction"] == 1.0
    assert curve[0]["n_train_mean"] < curve[-1]["n_train_mean"]
    assert data["ablation"] and all("per_label" in row["pooled"] for row in data["ablation"])
    directions = {(row["train_lang"], row["test_lang"]) for row in data["cross_lingual"]}
    assert directions == {("en", "zh"), ("zh", "en")}
    for row in data["cross_lingual"]:
        assert row["report"]["n"] > 0 and row["n_train"] > 0


def test_errors_are_explained_with_ngrams(quick):
    _, data, _ = quick
    errors = data["error_analysis"]
    assert errors
    for row in errors:
        assert row["true"] != row["predicted"]
    assert any(row["ngrams_predicted"] for row in errors)


def test_report_shows_figures_and_progress_names_systems_and_folds(quick):
    out, data, stderr = quick
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    for heading in ("## All systems", "## Calibration", "## Learning curve", "## Ingredient ablation",
                    "## Cross-lingual", "## Cost", "## Prediction throughput", "## Error analysis"):
        assert heading in report
    if "skipped" in data["figures"]:
        assert "matplotlib is not installed" in data["figures"]["skipped"]
    else:
        for name in ("confusion_matrix", "learning_curve", "reliability"):
            assert (out / data["figures"][name]).read_bytes()[:4] == b"\x89PNG"
            assert f"({data['figures'][name]})" in report
    assert "keyword rules: fold 1/5" in stderr
