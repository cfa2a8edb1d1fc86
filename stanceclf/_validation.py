"""Argument checks shared by the public entry points.

Every message names the argument, what was expected and what was given, in
the form scikit-learn uses, so that a user never has to read a traceback from
deep inside scikit-learn or jieba to learn what was wrong with their input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["check_text", "check_texts"]


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} (type {type(value).__name__})"


def _hint(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return " Decode bytes to str first, e.g. value.decode('utf-8')."
    return ""


def check_text(value: Any, name: str) -> str:
    """Return ``value`` if it is a ``str``; raise ``TypeError`` otherwise.

    Every str is accepted, lone surrogates and control characters included:
    they are characters the model does not know, not errors.
    """
    if not isinstance(value, str):
        raise TypeError(f"The '{name}' parameter must be a str. Got {_describe(value)} instead.{_hint(value)}")
    return value


def check_texts(values: Any, name: str) -> list[str]:
    """Return ``values`` as a list of ``str``.

    Accepts any iterable of strings (list, tuple, generator, numpy array of
    strings or objects, pandas Series). A bare string is refused, because
    iterating it would classify its characters one by one.
    """
    if isinstance(values, (bytes, bytearray)):
        raise TypeError(f"The '{name}' parameter must be a list of str. Got {_describe(values)} instead.{_hint(values)}")
    if isinstance(values, str):
        raise TypeError(
            f"The '{name}' parameter must be a list of str, not a single "
            f"{type(values).__name__}. Wrap it in a list: [{_describe(values).split(' (type')[0]}]."
        )
    ndim = getattr(values, "ndim", 1)
    if ndim != 1:
        raise ValueError(f"The '{name}' parameter must be one-dimensional. Got an array with {ndim} dimensions instead.")
    if not isinstance(values, Iterable):
        raise TypeError(f"The '{name}' parameter must be a list of str. Got {_describe(values)} instead.")
    texts = list(values)
    for position, item in enumerate(texts):
        if not isinstance(item, str):
            raise TypeError(
                f"The '{name}' parameter must be a list of str. Item {position} is {_describe(item)} instead.{_hint(item)}"
            )
    return texts
