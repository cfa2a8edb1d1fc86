"""Saving and loading models: a joblib artifact and a JSON model card beside it.

An artifact ``NAME.joblib`` always travels with its card ``NAME.json``. The card
records the artifact's format version, file name and sha256, the labels, the
training data, the versions of the libraries it was made with, its measured
metrics and the command that made it. :func:`load_model` reads the card first
and checks the artifact against it *before* unpickling anything: a joblib file
is a pickle, and loading one runs code, so only load artifacts from a source
you trust.

Saves are atomic: both files are written to temporary names in the target
directory and renamed into place under a lock, so a failed or interrupted save
leaves the previous pair intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ._resources import models_dir

__all__ = ["FORMAT_VERSION", "SHIPPED_MODELS", "save_model", "load_model", "read_model_card", "library_versions"]

FORMAT_VERSION = 1
SHIPPED_MODELS = {"default": "stanceclf-default", "seeds-only": "stanceclf-seeds-only"}


def library_versions() -> dict[str, str]:
    """Versions of stanceclf, Python and the libraries a model depends on."""
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in ("stanceclf", "scikit-learn", "numpy", "scipy", "jieba", "joblib", "opencc"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    if versions["stanceclf"] == "not installed":
        from . import __version__

        versions["stanceclf"] = __version__
    return versions


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def card_path(artifact: Path) -> Path:
    """The model card that belongs to an artifact: same name, ``.json``."""
    return artifact.with_suffix(".json")


@contextlib.contextmanager
def _locked(directory: Path):
    # Serialises writers into one directory so two processes saving to the
    # same path cannot interleave their renames into a mismatched pair. The
    # directory itself is locked, so no lock file is left behind.
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock on Windows; renames stay atomic
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def save_model(model, path: str | Path, *, card: dict[str, Any] | None = None) -> Path:
    """Save a fitted model as ``path`` (joblib) and its model card beside it.

    Parameters
    ----------
    model : StanceClassifier
        A fitted model.
    path : str or Path
        Where to write the artifact; should end in ``.joblib``. The card is
        written to the same name with ``.json``.
    card : dict, optional
        Extra card fields (metrics, training data, command, ...).

    Returns
    -------
    Path
        The artifact's path.

    Examples
    --------
    >>> import tempfile, stanceclf
    >>> model = stanceclf.load_model()
    >>> path = save_model(model, tempfile.mkdtemp() + "/mine.joblib")
    >>> load_model(path).predict(["Bitcoin rose 5% on Monday."]).tolist() == model.predict(["Bitcoin rose 5% on Monday."]).tolist()
    True
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    path = Path(path)
    if path.suffix != ".joblib":
        raise ValueError(f"The 'path' parameter of save_model must end in '.joblib'. Got {str(path)!r} instead.")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporaries: list[Path] = []
    try:
        fd, artifact_tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        temporaries.append(Path(artifact_tmp))
        with os.fdopen(fd, "wb") as handle:
            handle.write(_dumps({"format_version": FORMAT_VERSION, "model": model}))
            handle.flush()
            os.fsync(handle.fileno())
        content = {
            "format_version": FORMAT_VERSION,
            "artifact": path.name,
            "sha256": _sha256(Path(artifact_tmp)),
            "size_bytes": os.path.getsize(artifact_tmp),
            "labels": [str(c) for c in model.classes_],
            "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()},
            "versions": library_versions(),
            **(card or {}),
        }
        fd, card_tmp = tempfile.mkstemp(prefix=f".{path.stem}.json.", suffix=".tmp", dir=path.parent)
        temporaries.append(Path(card_tmp))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle, ensure_ascii=False, indent=2, default=str)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        for temporary in temporaries:
            # mkstemp creates files only the owner can read; give them the
            # permissions any other file the user writes would have.
            os.chmod(temporary, _umask_mode())
        with _locked(path.parent):
            os.replace(artifact_tmp, path)
            os.replace(card_tmp, card_path(path))
        temporaries.clear()
    finally:
        for leftover in temporaries:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return path


def read_model_card(path: str | Path) -> dict[str, Any]:
    """Return the model card of an artifact (or of a shipped model by name)."""
    card = card_path(_resolve(path))
    try:
        return json.loads(card.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"The model card {card} is missing.") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"The model card {card} is not valid JSON ({error.msg}).") from None


def _resolve(path: str | Path | None) -> Path:
    if path is None:
        path = "default"
    if isinstance(path, str) and path in SHIPPED_MODELS:
        return models_dir() / f"{SHIPPED_MODELS[path]}.joblib"
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"The 'path' parameter of load_model must be a str or a path. Got {type(path).__name__} instead.")
    return Path(path)


def load_model(path: str | Path | None = None, *, trusted: bool = False):
    """Load a model: the shipped one, a named shipped variant, or a saved file.

    Parameters
    ----------
    path : str or Path, optional
        ``None`` or ``"default"`` for the shipped model, ``"seeds-only"`` for
        the model trained on the seed documents alone, or the path of an
        artifact written by :func:`save_model`.
    trusted : bool, default=False
        Load an artifact that has no model card. Artifacts are pickles: only
        set this for files from a source you trust.

    Returns
    -------
    StanceClassifier

    Raises
    ------
    FileNotFoundError
        The artifact (or, unless ``trusted``, its card) does not exist.
    ValueError
        The card names another file, the artifact's sha256 does not match
        the card, or the artifact's format is newer than this library reads.

    Examples
    --------
    >>> model = load_model()
    >>> model.predict(["央行宣布全面禁止虚拟货币交易"]).tolist()
    ['regulatory_crackdown']
    """
    artifact = _resolve(path)
    if not artifact.is_file():
        raise FileNotFoundError(f"No model artifact at {artifact}.")
    card_file = card_path(artifact)
    if card_file.is_file():
        card = read_model_card(artifact)
        _check_format(card.get("format_version"), card_file)
        if card.get("artifact") != artifact.name:
            raise ValueError(f"The model card {card_file} describes {card.get('artifact')!r}, not {artifact.name!r}.")
        content = artifact.read_bytes()
        actual = hashlib.sha256(content).hexdigest()
        if actual != card.get("sha256"):
            raise ValueError(
                f"The artifact {artifact} does not match its model card: sha256 {actual} instead of "
                f"{card.get('sha256')}. The file was changed or truncated; it was not loaded."
            )
    elif not trusted:
        raise FileNotFoundError(
            f"The model card {card_file} is missing, so {artifact} cannot be verified. "
            "Artifacts are pickles and loading one runs code: pass trusted=True only for a file you trust."
        )
    else:
        content = artifact.read_bytes()
    payload = _loads(artifact, content)
    if not isinstance(payload, dict) or "model" not in payload:
        raise ValueError(f"{artifact} is not a stanceclf artifact.")
    _check_format(payload.get("format_version"), artifact)
    return payload["model"]


_GZIP_MAGIC = b"\x1f\x8b"


def _dumps(payload: dict) -> bytes:
    """The artifact's bytes: a gzip-compressed standard pickle.

    ``joblib.load`` reads this format too, but its pure-Python unpickler takes
    about 0.4 s on the 90,000-entry vocabulary that the C unpickler
    (:func:`pickle.loads`) reads in a fraction of that.
    """
    import gzip
    import pickle

    # mtime=0: the same model always gives the same bytes, so the same sha256.
    return gzip.compress(pickle.dumps(payload, protocol=5), compresslevel=3, mtime=0)


def _loads(artifact: Path, content: bytes):
    if content[:2] == _GZIP_MAGIC:
        import gzip
        import pickle

        return pickle.loads(gzip.decompress(content))
    import joblib  # artifacts written by joblib.dump (stanceclf 1.0.0)

    return joblib.load(artifact)


def _check_format(version: Any, where: Path) -> None:
    if not isinstance(version, int):
        raise ValueError(f"{where} has no valid format version. Got {version!r} instead.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{where} uses artifact format {version}, newer than format {FORMAT_VERSION} that this "
            "version of stanceclf reads. Upgrade stanceclf to load it."
        )
