"""Label a text column of a Dask DataFrame, on a laptop's cores or a Dask cluster.

Needs the ``dask`` extra: ``pip install 'stanceclf[dask]'`` (Dask's DataFrame
and pandas), and stanceclf installed on every worker.

The model enters the task graph once, as a single task every partition
depends on, rather than as a copy in each partition's task.
Each partition is labelled whole through the fast path of
:meth:`stanceclf.StanceClassifier.predict_proba`.

Examples
--------
>>> import dask.dataframe as dd, pandas as pd  # doctest: +SKIP
>>> from stanceclf.dask import with_stance  # doctest: +SKIP
>>> frame = dd.from_pandas(pd.DataFrame({"sentence": ["央行宣布全面禁止虚拟货币交易", "Bitcoin rose 5%"]}), npartitions=2)  # doctest: +SKIP
>>> with_stance(frame, "sentence").compute()  # doctest: +SKIP
"""

from __future__ import annotations

try:
    import dask
    import dask.dataframe as dd
    import pandas as pd
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        f"stanceclf.dask needs Dask's DataFrame and pandas ({error.name} is missing). "
        "Install them with: pip install 'stanceclf[dask]'"
    ) from None

from ._frames import label_frame

__all__ = ["with_stance"]


def with_stance(frame: dd.DataFrame, column: str, *, model=None, label: str = "label", score: str = "score") -> dd.DataFrame:
    """Return ``frame`` with a label and a score column for the sentences in ``column``.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        Any Dask DataFrame; its rows, partitions, index and other columns are kept.
    column : str
        A column holding one sentence (str) per row. Missing values stay missing.
    model : StanceClassifier, optional
        A fitted model; defaults to the shipped one (:func:`stanceclf.load_model`).
    label, score : str
        Names of the new columns: the most probable label (object) and its
        probability (float64, NaN where the sentence is missing).

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy, like every Dask operation: call ``.compute()`` or write it out.
    """
    if not isinstance(frame, dd.DataFrame):
        raise TypeError(f"The 'frame' parameter of with_stance must be a dask.dataframe.DataFrame. Got {type(frame).__module__}.{type(frame).__qualname__} instead.")
    if column not in frame.columns:
        raise ValueError(f"The 'column' parameter of with_stance must name a column of frame {list(frame.columns)}. Got {column!r} instead.")
    dtype = frame.dtypes[column]
    if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
        raise TypeError(f"The 'column' parameter of with_stance must name a column of strings. Column {column!r} is {dtype} instead.")
    for name, value in (("label", label), ("score", score)):
        if value in frame.columns:
            raise ValueError(f"The '{name}' column {value!r} already exists in frame; pass another name with {name}=.")
    if model is None:
        from .persistence import load_model

        model = load_model()
    meta = frame._meta.assign(**{label: pd.Series(dtype=object), score: pd.Series(dtype="float64")})
    shared = dask.delayed(model, pure=True)
    return frame.map_partitions(label_frame, shared, column, label, score, meta=meta)
