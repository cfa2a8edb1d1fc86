"""Label a text column of a Spark DataFrame, on as many machines as the cluster has.

Needs the ``spark`` extra: ``pip install 'stanceclf[spark]'`` (PySpark, pandas
and PyArrow), and stanceclf installed on every executor.

The model is broadcast: it is pickled once on the driver, shipped once to each
executor and unpickled once per Python worker, which then labels whole Arrow
batches of rows (``mapInPandas``) through the same fast path as
:meth:`stanceclf.StanceClassifier.predict_proba`, never one row at a time.

Examples
--------
>>> from pyspark.sql import SparkSession  # doctest: +SKIP
>>> from stanceclf.spark import with_stance  # doctest: +SKIP
>>> spark = SparkSession.builder.getOrCreate()  # doctest: +SKIP
>>> df = spark.createDataFrame([("央行宣布全面禁止虚拟货币交易",), ("Bitcoin rose 5%",)], ["sentence"])  # doctest: +SKIP
>>> with_stance(df, "sentence").show()  # doctest: +SKIP
"""

from __future__ import annotations

try:
    import pandas  # noqa: F401  (mapInPandas needs it on the driver and executors)
    import pyarrow  # noqa: F401
    from pyspark.sql import DataFrame
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        f"stanceclf.spark needs PySpark, pandas and PyArrow ({error.name} is missing). "
        "Install them with: pip install 'stanceclf[spark]'"
    ) from None

__all__ = ["with_stance"]


def with_stance(
    df: DataFrame,
    column: str,
    *,
    model=None,
    label: str = "label",
    score: str = "score",
) -> DataFrame:
    """Return ``df`` with a label and a score column for the sentences in ``column``.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        Any DataFrame; its rows, partitions and other columns are kept.
    column : str
        A string column holding one sentence per row. Null stays null.
    model : StanceClassifier, optional
        A fitted model; defaults to the shipped one (:func:`stanceclf.load_model`).
    label, score : str
        Names of the new columns: the most probable label (string) and its
        probability (double).

    Returns
    -------
    pyspark.sql.DataFrame
        Lazily evaluated, like every Spark transformation.
    """
    if column not in df.columns:
        raise ValueError(f"The 'column' parameter of with_stance must name a column of df {df.columns}. Got {column!r} instead.")
    if not isinstance(df.schema[column].dataType, StringType):
        raise TypeError(
            f"The 'column' parameter of with_stance must name a string column. "
            f"Column {column!r} is {df.schema[column].dataType.simpleString()} instead."
        )
    for name, value in (("label", label), ("score", score)):
        if value in df.columns:
            raise ValueError(f"The '{name}' column {value!r} already exists in df; pass another name with {name}=.")
    if model is None:
        from .persistence import load_model

        model = load_model()
    schema = StructType([*df.schema.fields, StructField(label, StringType(), True), StructField(score, DoubleType(), True)])
    shared = df.sparkSession.sparkContext.broadcast(model)

    def label_batches(batches):
        from ._frames import label_frame

        classifier = shared.value  # unpickled once per Python worker, then cached
        for batch in batches:
            yield label_frame(batch, classifier, column, label, score)

    return df.mapInPandas(label_batches, schema)
