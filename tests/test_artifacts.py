"""Model artifacts are pickles: verified before they are trusted, never lost or mismatched on failure.

tests/test_persistence.py covers the round trip and the basic refusals; here:
nothing of a refused file is executed, the scikit-learn version check,
processes killed in the middle of a save, and processes saving at once.
"""

import gzip
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn
import sklearn.base
from sklearn.exceptions import InconsistentVersionWarning

import stanceclf
from stanceclf import persistence
from stanceclf.persistence import FORMAT_VERSION, ModelVersionWarning, card_path, load_model, read_model_card, save_model
from stanceclf.training import train_model

PROBE = ["央行宣布全面禁止虚拟货币交易", "Bitcoin rose 5% on Monday", "杭州设立区块链产业基金。"]
OLD = "0.0.1"  # a scikit-learn version no model here was made with


def edit_card(path: Path, **changes) -> None:
    card = read_model_card(path)
    card.update(changes)
    card_path(path).write_text(json.dumps(card), encoding="utf-8")


def only_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# -- nothing of a refused file runs ----------------------------------------------------------------

class _Payload:
    """Unpickling this creates the marker file: proof that the pickle ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def booby_trapped(tiny_model, tmp_path):
    """A saved pair whose artifact is then replaced by a pickle that creates a marker file."""
    path = save_model(tiny_model, tmp_path / "m.joblib")
    marker = tmp_path / "the-pickle-ran"
    path.write_bytes(gzip.compress(pickle.dumps(_Payload(marker))))
    return path, marker


@pytest.mark.parametrize("damage, error, message", [
    ("none", ValueError, "does not match its model card"),
    ("no-card", FileNotFoundError, "trusted=True"),
    ("other-file", ValueError, "describes 'other.joblib'"),
    ("newer-format", ValueError, f"format {FORMAT_VERSION + 1}, newer than format {FORMAT_VERSION}"),
    ("card-not-json", ValueError, "is not valid JSON"),
    ("card-a-list", ValueError, "must hold a JSON object"),
])
def test_a_refused_artifact_is_never_unpickled(booby_trapped, damage, error, message):
    path, marker = booby_trapped
    if damage == "no-card":
        card_path(path).unlink()
    elif damage == "other-file":
        edit_card(path, artifact="other.joblib")
    elif damage == "newer-format":
        edit_card(path, format_version=FORMAT_VERSION + 1)
    elif damage == "card-not-json":
        card_path(path).write_text("{not json", encoding="utf-8")
    elif damage == "card-a-list":
        card_path(path).write_text("[]", encoding="utf-8")
    with pytest.raises(error, match=message):
        load_model(path)
    assert not marker.exists()


def test_the_booby_trap_is_real(booby_trapped):
    path, marker = booby_trapped
    card_path(path).unlink()
    with pytest.raises(ValueError, match="is not a stanceclf artifact"):
        load_model(path, trusted=True)  # trusted: unpickled, and it ran
    assert marker.exists()


def test_a_damaged_trusted_file_is_a_clear_error(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    card_path(path).unlink()
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"m\.joblib is not a readable stanceclf artifact \(EOFError"):
        load_model(path, trusted=True)


def test_artifacts_written_by_joblib_still_load(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    joblib.dump({"format_version": 1, "model": tiny_model}, path, compress=3)
    edit_card(path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    np.testing.assert_array_equal(load_model(path).predict_proba(PROBE), tiny_model.predict_proba(PROBE))


# -- scikit-learn versions ---------------------------------------------------------------------------

@pytest.fixture
def old_sklearn_artifact(tiny_model, tmp_path, monkeypatch):
    """A pair as scikit-learn OLD would have written it: in the card, and in every pickled estimator."""
    with monkeypatch.context() as patch:
        patch.setattr(sklearn.base, "__version__", OLD)
        path = save_model(tiny_model, tmp_path / "m.joblib")
    card = read_model_card(path)
    card["versions"]["scikit-learn"] = OLD
    card_path(path).write_text(json.dumps(card), encoding="utf-8")
    return path


def test_version_mismatch_warns_once_naming_both_versions(old_sklearn_artifact, tiny_model):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = load_model(old_sklearn_artifact)
    assert [w.category for w in caught] == [ModelVersionWarning]  # and none of scikit-learn's own
    message = str(caught[0].message)
    assert f"made with scikit-learn {OLD}, but scikit-learn {sklearn.__version__} is installed" in message
    assert f"Install scikit-learn=={OLD}" in message
    assert caught[0].filename == __file__  # points at the caller's load_model line
    np.testing.assert_array_equal(model.predict_proba(PROBE), tiny_model.predict_proba(PROBE))


def test_without_the_check_scikit_learn_warns_per_estimator(old_sklearn_artifact):
    # What the single warning replaces: the artifact really carries the old version.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pickle.loads(gzip.decompress(old_sklearn_artifact.read_bytes()))
    assert sum(issubclass(w.category, InconsistentVersionWarning) for w in caught) > 1


def test_same_version_loads_silently(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(path)


def test_version_mismatch_error_refuses_before_unpickling(old_sklearn_artifact, monkeypatch):
    monkeypatch.setattr(persistence, "_loads", lambda *a: pytest.fail("unpickled"))
    with pytest.raises(ValueError, match=rf"made with scikit-learn {OLD}, but scikit-learn {sklearn.__version__} is installed; it was not loaded"):
        load_model(old_sklearn_artifact, on_version_mismatch="error")


@pytest.mark.parametrize("bad", ["ignore", None, True])
def test_on_version_mismatch_is_checked(tiny_model, tmp_path, bad):
    path = save_model(tiny_model, tmp_path / "m.joblib")
    with pytest.raises(ValueError, match=r"The 'on_version_mismatch' parameter of load_model must be one of \['warn', 'error', 'retrain'\]"):
        load_model(path, on_version_mismatch=bad)


@pytest.fixture(scope="module")
def seeds_model():
    # Not the default settings: the card's parameters, tuples included, must come back as they were.
    return train_model(["seeds"], params={"features": "char", "use_lexicon": False, "char_ngram_range": (2, 3)},
                       cross_validate=False)


def save_as_old(model, card, path: Path) -> Path:
    save_model(model, path, card=card)
    written = read_model_card(path)
    written["versions"]["scikit-learn"] = OLD
    card_path(path).write_text(json.dumps(written), encoding="utf-8")
    return path


def test_retrain_rebuilds_the_model_from_the_seeds_without_unpickling(seeds_model, tmp_path, monkeypatch):
    model, card = seeds_model
    path = save_as_old(model, card, tmp_path / "seeds.joblib")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_model(path)  # the default, "warn", says what to do
    assert "on_version_mismatch='retrain'" in str(caught[0].message)
    monkeypatch.setattr(persistence, "_loads", lambda *a: pytest.fail("unpickled"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rebuilt = load_model(path, on_version_mismatch="retrain")
    assert rebuilt is not model
    assert rebuilt.get_params() == model.get_params()
    np.testing.assert_allclose(rebuilt.predict_proba(PROBE), model.predict_proba(PROBE), rtol=0, atol=1e-12)


def test_retrain_warns_when_the_seeds_changed(seeds_model, tmp_path):
    model, card = seeds_model
    changed = {**card, "training_data": {**card["training_data"], "sha256": "0" * 64}}
    path = save_as_old(model, changed, tmp_path / "seeds.joblib")
    with pytest.warns(ModelVersionWarning, match="rebuilt from the seed corpus of this stanceclf, which differs"):
        load_model(path, on_version_mismatch="retrain")


def test_retrain_needs_a_model_made_from_the_seeds(old_sklearn_artifact):
    with pytest.raises(ValueError, match="cannot be rebuilt from the seed corpus: its card records no seed ingredients"):
        load_model(old_sklearn_artifact, on_version_mismatch="retrain")
    with pytest.warns(ModelVersionWarning, match="train it again from its training data"):
        load_model(old_sklearn_artifact)


def test_model_version_warning_is_public():
    assert stanceclf.ModelVersionWarning is ModelVersionWarning
    assert issubclass(ModelVersionWarning, UserWarning)


# -- killed in the middle of a save -------------------------------------------------------------------

SAVE_AND_HANG = """
import json, sys, time
from stanceclf import persistence
model = persistence.load_model(sys.argv[1])
def hang(*args, **kwargs):
    # The artifact is written; the card is being written: the middle of a save.
    print("saving", flush=True)
    time.sleep(600)
persistence.json.dump = hang
persistence.save_model(model, sys.argv[2], card={"second": True})
"""


# Without O_TMPFILE (not Linux) the temporaries have names from the start: only an exception
# or Ctrl-C, which run save_model's clean-up, are sure to leave none.
needs_unnamed_temporaries = pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="no O_TMPFILE on this system")


@pytest.mark.parametrize("how", [pytest.param(signal.SIGKILL, marks=needs_unnamed_temporaries),
                                 pytest.param(signal.SIGTERM, marks=needs_unnamed_temporaries), signal.SIGINT],
                         ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_save_killed_midway_leaves_the_previous_pair_and_no_temporary(tiny_model, tiny_data, tmp_path, how):
    target = save_model(tiny_model, tmp_path / "out" / "m.joblib", card={"first": True})
    other = save_model(stanceclf.StanceClassifier(C=0.5).fit(*tiny_data), tmp_path / "other.joblib")
    before = (target.read_bytes(), card_path(target).read_bytes())
    process = subprocess.Popen([sys.executable, "-c", SAVE_AND_HANG, str(other), str(target)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "saving\n", process.stderr.read()
    process.send_signal(how)
    process.communicate(timeout=60)
    assert process.returncode != 0
    assert (target.read_bytes(), card_path(target).read_bytes()) == before
    assert only_files(target.parent) == ["m.joblib", "m.json"]
    assert read_model_card(target)["first"] is True
    np.testing.assert_array_equal(load_model(target).predict(PROBE), tiny_model.predict(PROBE))


# -- processes saving to the same path at once -----------------------------------------------------------

WRITER = """
import sys
from stanceclf import persistence
model = persistence.load_model(sys.argv[1])
for i in range(int(sys.argv[4])):
    persistence.save_model(model, sys.argv[2], card={"writer": sys.argv[3], "iteration": i})
"""

READER = """
import json, sys, os
from stanceclf import persistence
loads, errors = 0, []
while not os.path.exists(sys.argv[2]):
    try:
        model = persistence.load_model(sys.argv[1])
        loads += 1
    except Exception as error:
        errors.append(repr(error))
print(json.dumps({"loads": loads, "errors": errors[:5], "n_errors": len(errors)}))
"""


def test_processes_saving_to_one_path_never_leave_a_mismatched_pair(tiny_data, tmp_path):
    texts, labels = tiny_data
    sources = {}
    for writer, C in (("a", 10.0), ("b", 0.01)):
        sources[writer] = save_model(stanceclf.StanceClassifier(C=C).fit(texts, labels), tmp_path / f"{writer}.joblib")
    target = save_model(stanceclf.load_model(sources["a"]), tmp_path / "shared" / "m.joblib", card={"writer": "a"})
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(target), str(stop)], stdout=subprocess.PIPE, text=True)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(sources[w]), str(target), w, "40"],
                                stderr=subprocess.PIPE, text=True) for w in sources]
    try:
        for process in writers:
            _, err = process.communicate(timeout=600)
            assert process.returncode == 0, err
    finally:
        stop.touch()
    report = json.loads(reader.communicate(timeout=600)[0])
    assert report["n_errors"] == 0, report["errors"]
    assert report["loads"] > 0
    # The last pair standing is one writer's model with that writer's card.
    model = load_model(target)
    assert model.C == {"a": 10.0, "b": 0.01}[read_model_card(target)["writer"]]
    assert only_files(target.parent) == ["m.joblib", "m.json"]
