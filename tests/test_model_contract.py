"""scikit-learn contract tests: check_estimator skips raw-text estimators, so these say it explicitly."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GroupKFold, cross_val_score

from stanceclf import StanceClassifier

ALL_CONFIGS = [
    {"classifier": c, "features": f}
    for c in ("logreg", "svm", "nb", "sgd")
    for f in ("word", "char", "word+char")
]


def test_init_only_stores_parameters():
    model = StanceClassifier(classifier="nb", C=-5, word_ngram_range="nonsense")
    # Validation happens in fit, as in scikit-learn; __init__ stores as given.
    assert model.get_params()["C"] == -5
    assert model.get_params()["word_ngram_range"] == "nonsense"
    assert not hasattr(model, "classes_")


def test_init_is_keyword_only():
    with pytest.raises(TypeError):
        StanceClassifier("logreg")


def test_get_set_params_and_clone():
    model = StanceClassifier(C=3.0)
    assert model.set_params(classifier="svm") is model
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert copy is not model


@pytest.mark.parametrize("config", ALL_CONFIGS, ids=lambda c: f"{c['classifier']}-{c['features']}")
def test_every_configuration_fits_predicts_and_explains(config, tiny_data):
    texts, labels = tiny_data
    model = StanceClassifier(**config)
    assert model.fit(texts, labels) is model
    assert list(model.classes_) == sorted(set(labels))
    proba = model.predict_proba(["比特币下跌。", "The regulator banned mining."])
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(["anything"])) <= set(labels)
    explanation = model.explain("The regulator banned mining.", top=3)
    assert set(explanation.contributions) == set(labels)
    assert all(len(v) <= 3 for v in explanation.contributions.values())


def test_unfitted_model_raises_not_fitted():
    with pytest.raises(NotFittedError):
        StanceClassifier().predict(["x"])
    with pytest.raises(NotFittedError):
        StanceClassifier().classify("x")


def test_pickle_and_joblib_round_trip(tiny_model, tmp_path):
    probe = ["The regulator banned mining.", "比特币下跌。"]
    restored = pickle.loads(pickle.dumps(tiny_model))
    np.testing.assert_array_equal(restored.predict_proba(probe), tiny_model.predict_proba(probe))
    joblib.dump(tiny_model, tmp_path / "m.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "m.joblib").predict(probe), tiny_model.predict(probe))


def test_cross_val_score_works(tiny_data):
    texts, labels = tiny_data
    groups = [i % 2 for i in range(len(texts))]
    scores = cross_val_score(StanceClassifier(), np.asarray(texts, dtype=object), labels, groups=groups,
                             cv=GroupKFold(n_splits=2), scoring="accuracy")
    assert scores.shape == (2,)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"C": -1}, "The 'C' parameter of StanceClassifier must be a float > 0. Got -1 instead."),
        ({"classifier": "svm", "C": 0}, "must be a float > 0. Got 0 instead."),
        ({"classifier": "nb", "alpha": "x"}, "The 'alpha' parameter"),
        ({"classifier": "forest"}, "The 'classifier' parameter of StanceClassifier must be one of"),
        ({"features": "words"}, "The 'features' parameter"),
        ({"word_ngram_range": (2, 1)}, "The 'word_ngram_range' parameter"),
        ({"char_ngram_range": [1, 3]}, "The 'char_ngram_range' parameter"),
        ({"use_lexicon": "yes"}, "The 'use_lexicon' parameter"),
        ({"class_weight": "auto"}, "The 'class_weight' parameter"),
    ],
)
def test_bad_parameters_are_named_in_errors(params, message, tiny_data):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        StanceClassifier(**params).fit(*tiny_data)


@pytest.mark.parametrize(
    "X, error, message",
    [
        ("a bare string", TypeError, "must be a list of str, not a single str"),
        (None, TypeError, "The 'X' parameter must be a list of str"),
        (["ok", 3], TypeError, "Item 1 is 3"),
        ([["nested"]], TypeError, "Item 0 is"),
        (np.array([["a", "b"]]), ValueError, "one-dimensional"),
    ],
)
def test_bad_texts_are_refused_clearly(tiny_model, X, error, message):
    with pytest.raises(error, match=message):
        tiny_model.predict(X)


def test_fit_checks_labels(tiny_data):
    texts, labels = tiny_data
    with pytest.raises(ValueError, match="same length"):
        StanceClassifier().fit(texts, labels[:-1])
    with pytest.raises(ValueError, match="at least 2 distinct labels"):
        StanceClassifier().fit(texts, ["a"] * len(texts))


def test_empty_input_gives_empty_output(tiny_model):
    assert tiny_model.predict([]).shape == (0,)
    assert tiny_model.predict_proba([]).shape == (0, 3)
    assert tiny_model.classify("") == []


def test_accepts_generators_and_arrays(tiny_model):
    texts = ["Bitcoin rose.", "央行禁止交易。"]
    expected = tiny_model.predict(texts).tolist()
    assert tiny_model.predict(t for t in texts).tolist() == expected
    assert tiny_model.predict(np.asarray(texts)).tolist() == expected
    assert tiny_model.predict(np.asarray(texts, dtype=object)).tolist() == expected


def test_any_label_set_works():
    texts = ["good news", "bad news", "great news", "awful news", "fine", "terrible"]
    labels = ["pos", "neg", "pos", "neg", "pos", "neg"]
    model = StanceClassifier().fit(texts, labels)
    assert list(model.classes_) == ["neg", "pos"]
    explanation = model.explain("great news")
    assert explanation.label == "pos"
