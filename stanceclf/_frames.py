"""Label one pandas DataFrame of sentences: the work the Spark and Dask helpers share."""

from __future__ import annotations

import numpy as np

__all__ = ["label_frame"]


def label_frame(frame, classifier, column: str, label: str, score: str):
    """Return ``frame`` with ``label`` and ``score`` columns for the sentences in ``column``.

    All present sentences of the frame go through one ``predict_proba`` call
    (the fast path's batches, never one row at a time); a missing sentence
    (None or NaN) gets None as its label and NaN as its score (null in Spark).
    """
    texts = frame[column]
    present = texts.notna().to_numpy()
    labels = [None] * len(frame)
    scores = np.full(len(frame), np.nan)  # float64 even when no sentence is present
    if present.any():
        classes = [str(c) for c in classifier.classes_]
        proba = classifier.predict_proba(texts[present].tolist())
        best = proba.argmax(axis=1)
        for row, k, p in zip(present.nonzero()[0], best, proba[range(len(best)), best]):
            labels[row] = classes[k]
            scores[row] = float(p)
    return frame.assign(**{label: labels, score: scores})
