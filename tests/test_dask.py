"""stanceclf.dask labels a Dask DataFrame column as the in-process model does."""

from __future__ import annotations

import pickle

import pytest

pytest.importorskip("dask.dataframe")

import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402

from stanceclf.corpus import load_annotations  # noqa: E402
from stanceclf.dask import with_stance  # noqa: E402


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return [r["text"] for r in load_annotations()]


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_labels_match_the_in_process_model(scheduler, sentences, shipped_model):
    pandas_frame = pd.DataFrame({"id": range(len(sentences) + 1), "sentence": sentences + [None]})
    frame = dd.from_pandas(pandas_frame, npartitions=3)
    result = with_stance(frame, "sentence", model=shipped_model).compute(scheduler=scheduler)

    proba = shipped_model.predict_proba(sentences)
    assert result["id"].tolist() == list(range(len(sentences) + 1))
    assert result["label"].tolist()[:-1] == shipped_model.classes_[proba.argmax(axis=1)].tolist()
    assert result["score"].tolist()[:-1] == pytest.approx(proba.max(axis=1).tolist(), abs=1e-12)
    assert result["label"].iloc[-1] is None and pd.isna(result["score"].iloc[-1])
    assert result["sentence"].tolist()[:-1] == sentences


def test_a_partition_without_sentences_keeps_the_score_column_numeric(shipped_model):
    frame = dd.from_pandas(pd.DataFrame({"sentence": [None, None, "Bitcoin rose 5%", None]}), npartitions=2)
    labelled = with_stance(frame, "sentence", model=shipped_model)
    # Each partition as the function returns it matches the declared meta.
    assert [part.compute(scheduler="sync")["score"].dtype for part in labelled.partitions] == ["float64", "float64"]
    assert labelled.compute(scheduler="sync")["label"].tolist() == [None, None, "market_commentary", None]


def test_the_model_is_one_task_of_the_graph(shipped_model):
    frame = dd.from_pandas(pd.DataFrame({"sentence": ["Bitcoin rose 5%"] * 8}), npartitions=4)
    graph = dict(with_stance(frame, "sentence", model=shipped_model).__dask_graph__())
    sizes = sorted(len(pickle.dumps(task)) for task in graph.values())
    # One task carries the model (megabytes); the four labelling tasks only refer to it.
    assert sizes[-1] > 1_000_000 and sizes[-2] < 100_000
    assert sum(1 for key in graph if "StanceClassifier" in str(key)) == 1


def test_errors_name_the_problem(shipped_model):
    frame = dd.from_pandas(pd.DataFrame({"id": [1], "sentence": ["Bitcoin rose 5%"]}), npartitions=1)
    with pytest.raises(ValueError, match="'column' parameter.*'text'"):
        with_stance(frame, "text", model=shipped_model)
    with pytest.raises(TypeError, match="column of strings"):
        with_stance(frame, "id", model=shipped_model)
    with pytest.raises(ValueError, match="'label' column 'id' already exists"):
        with_stance(frame, "sentence", model=shipped_model, label="id")
    with pytest.raises(TypeError, match="dask.dataframe.DataFrame. Got pandas.core.frame.DataFrame instead"):
        with_stance(frame.compute(), "sentence", model=shipped_model)
