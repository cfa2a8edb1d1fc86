import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stanceclf.evaluation import (
    bootstrap_macro_f1,
    expected_calibration_error,
    leave_one_document_out,
    quality_report,
    reliability_bins,
)

LABELS = ["a", "b", "c"]
labelled = st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS)), min_size=1, max_size=60)


@pytest.mark.filterwarnings("ignore:A single label was found")
@settings(max_examples=60, deadline=None)
@given(labelled)
def test_bootstrap_point_estimate_is_quality_reports_macro_f1(pairs):
    y_true, y_pred = zip(*pairs)
    ci = bootstrap_macro_f1(y_true, y_pred, n_resamples=50)
    assert ci["macro_f1"] == pytest.approx(quality_report(y_true, y_pred)["macro_f1"])
    assert 0.0 <= ci["low"] <= ci["high"] <= 1.0


def test_bootstrap_interval_brackets_the_estimate_and_narrows_with_more_data():
    rng = np.random.default_rng(0)

    def width(n):
        y_true = rng.choice(LABELS, n)
        y_pred = [t if rng.random() < 0.7 else rng.choice(LABELS) for t in y_true]
        ci = bootstrap_macro_f1(y_true, y_pred, n_resamples=500)
        assert ci["low"] < ci["macro_f1"] < ci["high"]
        return ci["high"] - ci["low"]

    assert width(2000) < width(100)


def test_paired_difference_is_zero_against_itself_and_signed_against_a_worse_system():
    y_true = ["a", "b", "c"] * 30
    same = bootstrap_macro_f1(y_true, y_true, baseline=y_true, n_resamples=100)
    assert same["difference"] == same["difference_low"] == same["difference_high"] == 0.0
    worse = bootstrap_macro_f1(y_true, y_true, baseline=["a"] * 90, n_resamples=100)
    assert worse["difference_low"] > 0


def test_bootstrap_repeats_with_the_same_seed():
    y_true, y_pred = ["a", "b", "b", "c", "a"] * 5, ["a", "b", "c", "c", "b"] * 5
    assert bootstrap_macro_f1(y_true, y_pred, random_state=3) == bootstrap_macro_f1(y_true, y_pred, random_state=3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_resamples": 0}, "n_resamples"),
        ({"confidence": 1.5}, "confidence"),
        ({"baseline": ["a"]}, "as many predictions"),
    ],
)
def test_bootstrap_rejects_bad_arguments_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_macro_f1(["a", "b"], ["a", "b"], **kwargs)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LABELS), st.floats(0.01, 1), st.floats(0.01, 1), st.floats(0.01, 1)),
                min_size=1, max_size=50))
def test_reliability_bins_cover_every_sentence_and_give_the_ece(rows):
    y_true = [r[0] for r in rows]
    proba = np.asarray([r[1:] for r in rows])
    proba /= proba.sum(axis=1, keepdims=True)
    bins = reliability_bins(y_true, proba, LABELS)
    assert sum(b["n"] for b in bins) == len(rows)
    assert all(b["low"] <= b["confidence"] <= b["high"] + 1e-12 for b in bins)
    ece = sum(b["n"] * abs(b["accuracy"] - b["confidence"]) for b in bins) / len(rows)
    assert expected_calibration_error(y_true, proba, LABELS) == pytest.approx(ece)


class _Majority:
    def fit(self, texts, labels):
        self.classes_ = np.asarray(sorted(set(labels)))
        self.label_ = max(self.classes_, key=list(labels).count)
        return self

    def predict_proba(self, texts):
        return np.asarray([[float(c == self.label_) for c in self.classes_] for _ in texts])


def test_cross_validation_records_each_folds_training_size():
    full = leave_one_document_out(_Majority, ["seeds"])
    half = leave_one_document_out(_Majority, ["seeds"], train_fraction=0.5)
    assert len(full.n_train) == len(half.n_train) == len({e.doc for e in full.examples})
    assert all(h < f for h, f in zip(half.n_train, full.n_train))
