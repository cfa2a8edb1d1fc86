import json
import os
import subprocess
import sys

import numpy as np
import pytest

import stanceclf
from stanceclf.persistence import FORMAT_VERSION, card_path, load_model, read_model_card, save_model

PROBE = ["央行宣布全面禁止虚拟货币交易", "Bitcoin rose 5% on Monday", "杭州设立区块链产业基金。"]


def test_save_then_load_gives_the_same_predictions(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib", card={"note": "test"})
    card = read_model_card(path)
    assert card["artifact"] == "m.joblib" and card["note"] == "test"
    assert card["format_version"] == FORMAT_VERSION
    assert card["labels"] == [str(c) for c in tiny_model.classes_]
    np.testing.assert_array_equal(load_model(path).predict_proba(PROBE), tiny_model.predict_proba(PROBE))
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["m.joblib", "m.json"]


def test_save_refuses_other_suffixes(tiny_model, tmp_path):
    with pytest.raises(ValueError, match="must end in '.joblib'"):
        save_model(tiny_model, tmp_path / "m.pkl")


def test_tampered_artifact_is_refused_before_unpickling(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ValueError, match="does not match its model card"):
        load_model(path)


def test_truncated_artifact_is_refused(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="sha256"):
        load_model(path)


def test_missing_card_needs_trust(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    card_path(path).unlink()
    with pytest.raises(FileNotFoundError, match="trusted=True"):
        load_model(path)
    assert load_model(path, trusted=True).predict(PROBE).tolist() == tiny_model.predict(PROBE).tolist()


def test_card_naming_another_file_is_refused(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    card = read_model_card(path)
    card["artifact"] = "other.joblib"
    card_path(path).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ValueError, match="describes 'other.joblib'"):
        load_model(path)


def test_newer_format_is_refused_naming_both_versions(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    card = read_model_card(path)
    card["format_version"] = FORMAT_VERSION + 1
    card_path(path).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ValueError, match=f"format {FORMAT_VERSION + 1}, newer than format {FORMAT_VERSION}"):
        load_model(path)


@pytest.mark.parametrize("bad", [3, ["m.joblib"], None.__class__])
def test_load_model_refuses_non_paths(bad):
    with pytest.raises(TypeError, match="'path' parameter of load_model"):
        load_model(bad)


def test_missing_artifact(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model artifact"):
        load_model(tmp_path / "nothing.joblib")


def test_failed_save_keeps_the_previous_pair(tiny_model, tmp_path, monkeypatch):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    before = (path.read_bytes(), card_path(path).read_bytes())

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(tiny_model, path, card={"changed": True})
    assert (path.read_bytes(), card_path(path).read_bytes()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", ["default", "seeds-only"])
def test_shipped_models_load_and_verify(name):
    model = load_model(name)
    card = read_model_card(name)
    assert card["labels"] == list(stanceclf.LABELS)
    assert set(model.predict(PROBE)) <= set(stanceclf.LABELS)
    assert "metrics" in card and "command" in card


def test_shipped_model_card_describes_its_artifact():
    card = read_model_card("default")
    for key in ("sha256", "training_data", "versions", "metrics", "command", "labels"):
        assert key in card
    for library in ("stanceclf", "scikit-learn", "numpy", "jieba"):
        assert library in card["versions"]


def test_load_model_works_from_any_directory(tmp_path):
    code = ("import stanceclf; m = stanceclf.load_model(); "
            "print(m.predict(['央行宣布全面禁止虚拟货币交易', 'Bitcoin rose 5% on Monday']).tolist())")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['regulatory_crackdown', 'market_commentary']"
    assert "Building prefix dict" not in done.stderr
    assert done.stderr == ""
