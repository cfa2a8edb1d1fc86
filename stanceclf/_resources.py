"""Where the shipped seeds and models are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(installed: str, checkout: str) -> Path:
    # A wheel carries the data inside the package (see pyproject's package-dir
    # mapping); a source checkout or an editable install keeps it at the top.
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


def seeds_dir() -> Path:
    """The directory of the seed documents and their annotations."""
    return _locate("_seeds", "seeds")


def models_dir() -> Path:
    """The directory of the shipped model artifacts and their cards."""
    return _locate("_models", "models")
