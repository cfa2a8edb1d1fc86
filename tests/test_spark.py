"""stanceclf.spark labels a DataFrame column in a real local Spark (``local[2]``)."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from stanceclf.corpus import load_annotations  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as patch:
        # Workers must run this interpreter, the one stanceclf is installed in.
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("stanceclf-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


def test_labels_match_the_in_process_model(spark, shipped_model):
    from stanceclf.spark import with_stance

    sentences = [r["text"] for r in load_annotations()]
    rows = [(k, text) for k, text in enumerate(sentences)] + [(len(sentences), None)]
    df = spark.createDataFrame(rows, "id long, sentence string")
    assert df.rdd.getNumPartitions() == 2  # both local workers label a part
    result = sorted(with_stance(df, "sentence", model=shipped_model).collect(), key=lambda r: r["id"])

    proba = shipped_model.predict_proba(sentences)
    expected_labels = shipped_model.classes_[proba.argmax(axis=1)].tolist()
    assert [r["id"] for r in result] == list(range(len(rows)))
    assert [r["label"] for r in result[:-1]] == expected_labels
    assert [r["score"] for r in result[:-1]] == pytest.approx(proba.max(axis=1).tolist(), abs=1e-12)
    assert result[-1]["label"] is None and result[-1]["score"] is None
    assert [r["sentence"] for r in result[:-1]] == sentences


def test_column_errors_name_the_problem(spark, shipped_model):
    from stanceclf.spark import with_stance

    df = spark.createDataFrame([(1, "Bitcoin rose 5%")], "id long, sentence string")
    with pytest.raises(ValueError, match="'column' parameter.*'text'"):
        with_stance(df, "text", model=shipped_model)
    with pytest.raises(TypeError, match="string column"):
        with_stance(df, "id", model=shipped_model)
    with pytest.raises(ValueError, match="already exists"):
        with_stance(df, "sentence", model=shipped_model, label="id")
