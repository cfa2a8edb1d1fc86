"""Saving and loading models: a joblib artifact and a JSON model card beside it.

An artifact ``NAME.joblib`` always travels with its card ``NAME.json``. The card
records the artifact's format version, file name and sha256, the labels, the
training data, the versions of the libraries it was made with, its measured
metrics and the command that made it. :func:`load_model` reads the card first
and checks the artifact against it *before* unpickling anything: a joblib file
is a pickle, and loading one runs code, so only load artifacts from a source
you trust.

Saves are atomic: both files are written to temporary files in the target
directory and renamed into place under a lock, so a failed or interrupted save
leaves the previous pair intact. On Linux the temporaries have no name until
just before the rename (``O_TMPFILE``), so even a process killed with SIGKILL
while writing leaves no file behind. Loads read the card and the artifact under
the same lock, so a save running at the same time cannot hand them a card of
one model and the artifact of another.

The card also records the scikit-learn version the model was made with. Loading
it under another version warns once (:class:`ModelVersionWarning`), or refuses,
or rebuilds the model from the seed corpus instead, as ``on_version_mismatch``
says.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import uuid
import warnings
from pathlib import Path
from typing import Any

from ._resources import models_dir

__all__ = [
    "FORMAT_VERSION",
    "SHIPPED_MODELS",
    "ModelVersionWarning",
    "save_model",
    "load_model",
    "read_model_card",
    "library_versions",
]

FORMAT_VERSION = 1
SHIPPED_MODELS = {"default": "stanceclf-default", "seeds-only": "stanceclf-seeds-only"}
_ON_VERSION_MISMATCH = ("warn", "error", "retrain")


class ModelVersionWarning(UserWarning):
    """A model is loaded under another scikit-learn version than it was made with.

    Its predictions may differ from the measured ones, or fail. The message
    names both versions and what to do: install the version the model was made
    with, or load it with ``on_version_mismatch="retrain"``.
    """


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


def params_to_card(params: dict[str, Any]) -> dict[str, Any]:
    """Estimator parameters in JSON form (tuples become lists), sorted by name."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(params.items())}


def params_from_card(card: dict[str, Any]) -> dict[str, Any]:
    """The estimator parameters a model card records, ready for ``StanceClassifier(**params)``.

    Examples
    --------
    >>> params_from_card({"params": {"C": 10.0, "word_ngram_range": [1, 2]}})
    {'C': 10.0, 'word_ngram_range': (1, 2)}
    """
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in (card.get("params") or {}).items()}


def card_path(artifact: Path) -> Path:
    """The model card that belongs to an artifact: same name, ``.json``."""
    return artifact.with_suffix(".json")


@contextlib.contextmanager
def _locked(directory: Path, *, shared: bool = False):
    # Serialises writers into one directory so two processes saving to the
    # same path cannot interleave their renames into a mismatched pair; a
    # reader (shared) sees the pair before or after a save, never halfway. The
    # directory itself is locked, so no lock file is left behind.
    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock on Windows; renames stay atomic
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        if not shared:
            raise
        # A directory one may read files in but not list: the sha256 check
        # still refuses a pair caught halfway through a save.
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class _Temporary:
    """A file in ``directory`` to write a temporary into, unnamed where the system allows.

    On Linux it is opened with ``O_TMPFILE``: it gets a name only in
    :meth:`name`, just before it is renamed into place, so a process killed
    while writing it leaves nothing behind. Elsewhere it is a named ``.tmp``
    file, which :meth:`discard` removes when the save fails.
    """

    def __init__(self, directory: Path, prefix: str, mode: str):
        self.directory, self.prefix = directory, prefix
        self.path: Path | None = None
        fd = None
        if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
            with contextlib.suppress(OSError):  # a file system without O_TMPFILE
                fd = os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o666)
        if fd is None:
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
            self.path = Path(name)
            # mkstemp creates files only the owner can read; give them the
            # permissions any other file the user writes would have.
            os.chmod(name, _umask_mode())
        self.file = os.fdopen(fd, mode, **({"encoding": "utf-8"} if "b" not in mode else {}))

    def sync(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())

    def name(self) -> Path:
        """Give the file its temporary name (if it has none yet) and close it."""
        if self.path is None:
            name = self.directory / f"{self.prefix}{uuid.uuid4().hex[:12]}.tmp"
            # linkat(AT_SYMLINK_FOLLOW) through /proc names an O_TMPFILE file;
            # a src_dir_fd makes Python call linkat rather than link.
            proc = os.open("/proc/self/fd", os.O_RDONLY)
            try:
                os.link(str(self.file.fileno()), name, src_dir_fd=proc, follow_symlinks=True)
            finally:
                os.close(proc)
            self.path = name
        self.file.close()
        return self.path

    def discard(self) -> None:
        self.file.close()
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


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
    temporaries: list[_Temporary] = []
    try:
        payload = _dumps({"format_version": FORMAT_VERSION, "model": model})
        artifact_tmp = _Temporary(path.parent, f".{path.name}.", "wb")
        temporaries.append(artifact_tmp)
        artifact_tmp.file.write(payload)
        artifact_tmp.sync()
        content = {
            "format_version": FORMAT_VERSION,
            "artifact": path.name,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size_bytes": len(payload),
            "labels": [str(c) for c in model.classes_],
            "params": params_to_card(model.get_params()),
            "versions": library_versions(),
            **(card or {}),
        }
        card_tmp = _Temporary(path.parent, f".{path.stem}.json.", "w")
        temporaries.append(card_tmp)
        json.dump(content, card_tmp.file, ensure_ascii=False, indent=2, default=str)
        card_tmp.file.write("\n")
        card_tmp.sync()
        with _locked(path.parent):
            # A kill leaves a named temporary only between these four lines,
            # and a mismatched pair (refused by load_model, never unpickled)
            # only between the last two.
            artifact_name, card_name = artifact_tmp.name(), card_tmp.name()
            os.replace(artifact_name, path)
            os.replace(card_name, card_path(path))
        temporaries.clear()
    finally:
        for leftover in temporaries:
            leftover.discard()
    return path


def read_model_card(path: str | Path) -> dict[str, Any]:
    """Return the model card of an artifact (or of a shipped model by name)."""
    card = card_path(_resolve(path))
    try:
        content = json.loads(card.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"The model card {card} is missing.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else error.reason
        raise ValueError(f"The model card {card} is not valid JSON ({reason}).") from None
    if not isinstance(content, dict):
        raise ValueError(f"The model card {card} must hold a JSON object. Got a {type(content).__name__} instead.")
    return content


def _resolve(path: str | Path | None) -> Path:
    if path is None:
        path = "default"
    if isinstance(path, str) and path in SHIPPED_MODELS:
        return models_dir() / f"{SHIPPED_MODELS[path]}.joblib"
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"The 'path' parameter of load_model must be a str or a path. Got {type(path).__name__} instead.")
    return Path(path)


def load_model(path: str | Path | None = None, *, trusted: bool = False, on_version_mismatch: str = "warn"):
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
    on_version_mismatch : {"warn", "error", "retrain"}, default="warn"
        What to do when the card says the model was made with another
        scikit-learn version than the installed one: load it and warn once
        (:class:`ModelVersionWarning`), raise ``ValueError`` without
        unpickling anything, or rebuild the model from the seed corpus with
        the card's parameters (for models made by :func:`stanceclf.train_model`;
        the artifact is then not unpickled at all).

    Returns
    -------
    StanceClassifier

    Raises
    ------
    FileNotFoundError
        The artifact (or, unless ``trusted``, its card) does not exist.
    ValueError
        The card names another file, the artifact's sha256 does not match
        the card, the artifact's format is newer than this library reads, or
        the scikit-learn versions differ and ``on_version_mismatch="error"``.

    Examples
    --------
    >>> model = load_model()
    >>> model.predict(["央行宣布全面禁止虚拟货币交易"]).tolist()
    ['regulatory_crackdown']
    """
    artifact = _resolve(path)
    if on_version_mismatch not in _ON_VERSION_MISMATCH:
        raise ValueError(
            f"The 'on_version_mismatch' parameter of load_model must be one of {list(_ON_VERSION_MISMATCH)}. "
            f"Got {on_version_mismatch!r} instead."
        )
    if not artifact.is_file():
        raise FileNotFoundError(f"No model artifact at {artifact}.")
    card_file = card_path(artifact)
    with _locked(artifact.parent, shared=True):
        # One snapshot of the pair, and the bytes checked are the bytes unpickled.
        card = read_model_card(artifact) if card_file.is_file() else None
        content = artifact.read_bytes()
    mismatch = None
    if card is not None:
        _check_format(card.get("format_version"), card_file)
        if card.get("artifact") != artifact.name:
            raise ValueError(f"The model card {card_file} describes {card.get('artifact')!r}, not {artifact.name!r}.")
        actual = hashlib.sha256(content).hexdigest()
        if actual != card.get("sha256"):
            raise ValueError(
                f"The artifact {artifact} does not match its model card: sha256 {actual} instead of "
                f"{card.get('sha256')}. The file was changed or truncated; it was not loaded."
            )
        mismatch = _version_mismatch(card)
    elif not trusted:
        raise FileNotFoundError(
            f"The model card {card_file} is missing, so {artifact} cannot be verified. "
            "Artifacts are pickles and loading one runs code: pass trusted=True only for a file you trust."
        )
    if mismatch is not None:
        made, installed = mismatch
        problem = f"{artifact} was made with scikit-learn {made}, but scikit-learn {installed} is installed"
        if on_version_mismatch == "retrain":
            return _rebuild(card, artifact)
        advice = _version_advice(card, made)
        if on_version_mismatch == "error":
            raise ValueError(f"{problem}; it was not loaded. {advice}")
        warnings.warn(ModelVersionWarning(f"{problem}: its predictions may differ from its card's, or fail. {advice}"),
                      stacklevel=2)
    with warnings.catch_warnings():
        if mismatch is not None:
            # Said once above; scikit-learn would say it again for every estimator in the pipeline.
            from sklearn.exceptions import InconsistentVersionWarning

            warnings.simplefilter("ignore", InconsistentVersionWarning)
        payload = _loads(artifact, content)
    if not isinstance(payload, dict) or "model" not in payload:
        raise ValueError(f"{artifact} is not a stanceclf artifact.")
    _check_format(payload.get("format_version"), artifact)
    return payload["model"]


def _version_mismatch(card: dict) -> tuple[str, str] | None:
    """``(made with, installed)`` scikit-learn versions when they differ, else None."""
    import sklearn

    versions = card.get("versions")
    made = versions.get("scikit-learn") if isinstance(versions, dict) else None
    if made is None or made == sklearn.__version__:
        return None
    return str(made), sklearn.__version__


def _seed_ingredients(card: dict) -> list[str] | None:
    """The seed ingredients a model was trained on, if it was trained on nothing else."""
    data = card.get("training_data")
    ingredients = data.get("ingredients") if isinstance(data, dict) else None
    if not isinstance(ingredients, list) or not ingredients or not all(isinstance(i, str) for i in ingredients):
        return None
    return ingredients


def _version_advice(card: dict, made: str) -> str:
    if _seed_ingredients(card) is not None:
        return (f"Install scikit-learn=={made}, or load it with on_version_mismatch='retrain' to rebuild it "
                "from the seed corpus under the installed version.")
    return f"Install scikit-learn=={made}, or train it again from its training data under the installed version."


def _rebuild(card: dict, artifact: Path):
    """Train the model a card describes again, from the seed corpus, without unpickling anything."""
    from .training import train_model

    ingredients = _seed_ingredients(card)
    if ingredients is None:
        raise ValueError(
            f"{artifact} cannot be rebuilt from the seed corpus: its card records no seed ingredients "
            "(it was trained on other data). Train it again from that data, or load it with "
            "on_version_mismatch='warn'."
        )
    # JSON turned the (min_n, max_n) tuples into lists.
    params = params_from_card(card)
    try:
        model, rebuilt = train_model(ingredients, params=params, cross_validate=False)
    except TypeError as error:
        raise ValueError(f"{artifact} cannot be rebuilt: its card's parameters do not fit this stanceclf ({error}).") from None
    recorded = card["training_data"].get("sha256")
    if recorded is not None and rebuilt["training_data"]["sha256"] != recorded:
        warnings.warn(
            ModelVersionWarning(
                f"{artifact} was rebuilt from the seed corpus of this stanceclf, which differs from the one it "
                f"was trained on (sha256 {rebuilt['training_data']['sha256']} instead of {recorded}): its "
                "predictions may differ from its card's."
            ),
            stacklevel=3,
        )
    return model


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
    import io

    try:
        if content[:2] == _GZIP_MAGIC:
            import gzip
            import pickle

            return pickle.loads(gzip.decompress(content))
        import joblib  # artifacts written by joblib.dump (stanceclf 1.0.0)

        # From the bytes already read (and checked), not from the path again.
        return joblib.load(io.BytesIO(content))
    except (EOFError, OSError, ValueError, IndexError, KeyError, AttributeError) as error:
        # Only reachable for trusted files without a card: a card's sha256 refuses damaged ones first.
        raise ValueError(f"{artifact} is not a readable stanceclf artifact ({type(error).__name__}: {error}).") from None


def _check_format(version: Any, where: Path) -> None:
    if not isinstance(version, int):
        raise ValueError(f"{where} has no valid format version. Got {version!r} instead.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{where} uses artifact format {version}, newer than format {FORMAT_VERSION} that this "
            "version of stanceclf reads. Upgrade stanceclf to load it."
        )
