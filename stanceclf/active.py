"""Choosing the next sentences to label: uncertainty sampling that skips near-duplicates.

:func:`suggest` ranks unlabelled sentences by how unsure a model is of their
label (the margin between its two most probable labels, or the entropy of its
probabilities) and keeps the most uncertain ones, skipping sentences that are
near-duplicates of one already chosen or already labelled: news repeats
itself, and labelling the same sentence twice teaches the model nothing.
:func:`write_suggestions` writes them as a CSV to fill in, or as a Label Studio
or doccano import, all of which :func:`stanceclf.read_labels` reads back once
labelled.
"""

from __future__ import annotations

import csv
import json
import math
import numbers
import os
import re
import tempfile
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from .labels import LabelProblem, LabelProblems, _check_path, _decode, _json_lines
from .persistence import _umask_mode

__all__ = [
    "STRATEGIES",
    "SUGGESTION_FORMATS",
    "UnlabelledSentence",
    "Suggestion",
    "read_unlabelled",
    "uncertainty",
    "suggest",
    "write_suggestions",
]

STRATEGIES = ("margin", "entropy")
SUGGESTION_FORMATS = ("csv", "label-studio", "doccano")
_LETTER = re.compile(r"[^\W\d_]")
_NOT_WORD = re.compile(r"[\W_]+")
_CSV_COLUMNS = ("text", "label", "doc", "source", "lang", "model_label", "model_score", "margin", "entropy")


@dataclass(frozen=True, slots=True)
class UnlabelledSentence:
    """A sentence to be labelled, and where it was found.

    Attributes
    ----------
    text : str
    source : str
        ``file:line`` of the sentence (for JSON lines, the record's line).
    doc : str
        The document it belongs to: the JSON record's ``doc`` or ``id``, or
        the file name for text files.
    lang : {"en", "zh"}
    """

    text: str
    source: str
    doc: str
    lang: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A sentence worth labelling, with the model's view of it.

    Attributes
    ----------
    text, source, doc, lang
        As in :class:`UnlabelledSentence`.
    model_label : str
        The model's most probable label.
    model_score : float
        Its probability.
    margin : float
        Top probability minus the second: small means unsure.
    entropy : float
        Entropy of the probabilities, divided by its maximum ``log(k)``: in [0, 1], large means unsure.
    probabilities : dict of str to float
    """

    text: str
    source: str
    doc: str
    lang: str
    model_label: str
    model_score: float
    margin: float
    entropy: float
    probabilities: dict[str, float]


# -- reading ------------------------------------------------------------------------------


def _is_jsonl(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return True
    return text.lstrip().startswith("{")


def read_unlabelled(path: str | Path) -> list[UnlabelledSentence]:
    """Read the sentences of an unlabelled file.

    Parameters
    ----------
    path : str or Path
        A plain-text, Markdown or HTML document; a file of one sentence (or
        paragraph) per line; or JSON lines whose records have a ``text`` (and
        optionally ``doc`` or ``id``). Each text is cleaned and cut into
        sentences with :func:`stanceclf.clean_text` and
        :func:`stanceclf.segment_sentences`.

    Returns
    -------
    list of UnlabelledSentence

    Raises
    ------
    LabelProblems
        Bytes that are not UTF-8, lines that are not JSON objects, records without text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "news.txt"
    >>> _ = p.write_text("Bitcoin rose 5%. The bank banned trading.\\n央行发布通知。\\n", encoding="utf-8")
    >>> [(s.text, s.source.rsplit(":", 1)[1]) for s in read_unlabelled(p)]
    [('Bitcoin rose 5%.', '1'), ('The bank banned trading.', '1'), ('央行发布通知。', '2')]
    """
    from .cleaning import clean_text, clean_text_with_offsets
    from .segmentation import segment_sentences

    path = _check_path(path)
    problems: list[LabelProblem] = []
    text = _decode(path.read_bytes(), str(path), problems)
    sentences: list[UnlabelledSentence] = []
    if _is_jsonl(path, text):
        for number, record in _json_lines(str(path), text):
            if isinstance(record, LabelProblem):
                problems.append(record)
                continue
            value = record.get("text")
            if not isinstance(value, str) or not value.strip():
                problems.append(LabelProblem(str(path), "missing or empty 'text'", line=number))
                continue
            doc = record.get("doc", record.get("id"))
            doc = str(doc) if doc is not None else f"{path.name}:{number}"
            sentences.extend(
                UnlabelledSentence(s.text, f"{path}:{number}", doc, s.lang) for s in segment_sentences(clean_text(value))
            )
    elif not problems:
        cleaned, offsets = clean_text_with_offsets(text)
        line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        for s in segment_sentences(cleaned):
            line = bisect_right(line_starts, int(offsets[s.start]))
            sentences.append(UnlabelledSentence(s.text, f"{path}:{line}", path.name, s.lang))
    if problems:
        raise LabelProblems(problems)
    return sentences


# -- choosing -------------------------------------------------------------------------------


def uncertainty(proba: np.ndarray, strategy: str = "margin") -> np.ndarray:
    """How unsure each row of probabilities is, in [0, 1]; larger is less sure.

    ``"margin"`` is one minus the gap between the two most probable labels;
    ``"entropy"`` is the entropy divided by ``log(k)``.

    Examples
    --------
    >>> uncertainty(np.array([[0.9, 0.1], [0.5, 0.5]])).round(2).tolist()
    [0.2, 1.0]
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"The 'strategy' parameter must be one of {list(STRATEGIES)}. Got {strategy!r} instead.")
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] < 2:
        raise ValueError(f"The 'proba' parameter must be a 2-D array with at least 2 columns. Got shape {proba.shape} instead.")
    if strategy == "margin":
        top = np.sort(proba, axis=1)
        return 1.0 - (top[:, -1] - top[:, -2])
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(proba > 0, proba * np.log(proba), 0.0)
    return -terms.sum(axis=1) / math.log(proba.shape[1])


def _shingle_key(text: str) -> str:
    from .tokenization import normalize_text

    return _NOT_WORD.sub("", normalize_text(text))


def _shingles(key: str, size: int = 3) -> frozenset[str]:
    if len(key) <= size:
        return frozenset([key])
    return frozenset(key[i:i + size] for i in range(len(key) - size + 1))


class _NearDuplicates:
    """Texts seen so far, to tell whether a new one nearly repeats one of them.

    Two texts are near-duplicates when their normalised forms (see
    :func:`stanceclf.normalize_text`, then without spaces and punctuation) are
    equal, or share at least ``threshold`` of their character 3-grams
    (Jaccard similarity). An inverted index finds the texts that share any
    3-gram, so checking stays fast against thousands of labelled texts.
    """

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.keys: set[str] = set()
        self.sets: list[frozenset[str]] = []
        self.index: dict[str, list[int]] = {}

    def add(self, text: str) -> None:
        key = _shingle_key(text)
        self.keys.add(key)
        shingles = _shingles(key)
        for shingle in shingles:
            self.index.setdefault(shingle, []).append(len(self.sets))
        self.sets.append(shingles)

    def near(self, text: str) -> bool:
        key = _shingle_key(text)
        if key in self.keys:
            return True
        shingles = _shingles(key)
        shared: dict[int, int] = {}
        for shingle in shingles:
            for other in self.index.get(shingle, ()):
                shared[other] = shared.get(other, 0) + 1
        return any(
            count / (len(shingles) + len(self.sets[other]) - count) >= self.threshold for other, count in shared.items()
        )


def suggest(
    model,
    sentences: Iterable[UnlabelledSentence | str],
    *,
    n: int = 50,
    strategy: str = "margin",
    exclude: Iterable[str] = (),
    similarity: float = 0.85,
) -> list[Suggestion]:
    """Pick the ``n`` sentences whose label the model is least sure of, skipping near-duplicates.

    Parameters
    ----------
    model : StanceClassifier
        A fitted model.
    sentences : iterable of UnlabelledSentence or str
        Candidates, e.g. from :func:`read_unlabelled`.
    n : int, default=50
    strategy : {"margin", "entropy"}, default="margin"
        See :func:`uncertainty`.
    exclude : iterable of str
        Texts already labelled: neither they nor their near-duplicates are suggested.
    similarity : float, default=0.85
        Character 3-gram Jaccard similarity from which two sentences count as
        near-duplicates (1.0: only identical normalised texts). 3-grams cannot
        tell a trivial edit from a change of stance: in a 14-word sentence,
        dropping "on" before "Monday" scores 0.92 but "against" becoming "for"
        scores 0.84, so lowering this skips more repeats and, below about 0.85,
        also sentences that differ where it matters.

    Returns
    -------
    list of Suggestion
        Most uncertain first. Sentences without any letter (numbers,
        punctuation) are never suggested.

    Examples
    --------
    >>> import stanceclf
    >>> picks = suggest(stanceclf.load_model(), ["Bitcoin rose 5%.", "Bitcoin rose 5% !", "The bank banned trading."], n=2)
    >>> len(picks)
    2
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"The 'n' parameter of suggest must be an int >= 1. Got {n!r} instead.")
    if isinstance(similarity, bool) or not isinstance(similarity, numbers.Real) or not 0 < similarity <= 1:
        raise ValueError(f"The 'similarity' parameter of suggest must be a float in (0, 1]. Got {similarity!r} instead.")
    if isinstance(exclude, str):
        raise TypeError("The 'exclude' parameter of suggest must be an iterable of str, not a single str.")
    from .segmentation import detect_language

    candidates: list[UnlabelledSentence] = []
    for position, item in enumerate(sentences):
        if isinstance(item, str):
            item = UnlabelledSentence(item, f"#{position}", "", detect_language(item))
        elif not isinstance(item, UnlabelledSentence):
            raise TypeError(
                f"The 'sentences' parameter of suggest must hold str or UnlabelledSentence. Item {position} is {type(item).__name__} instead."
            )
        if _LETTER.search(item.text):
            candidates.append(item)
    seen = _NearDuplicates(similarity)
    for text in exclude:
        seen.add(text)
    if not candidates:
        return []
    proba = np.asarray(model.predict_proba([c.text for c in candidates]))
    scores = uncertainty(proba, strategy)
    margins, entropies = uncertainty(proba, "margin"), uncertainty(proba, "entropy")
    classes = [str(c) for c in model.classes_]
    chosen: list[Suggestion] = []
    # Stable: equally uncertain sentences keep their input order.
    for i in np.argsort(-scores, kind="stable"):
        if len(chosen) == n:
            break
        candidate = candidates[i]
        if seen.near(candidate.text):
            continue
        seen.add(candidate.text)
        best = int(proba[i].argmax())
        chosen.append(
            Suggestion(
                text=candidate.text,
                source=candidate.source,
                doc=candidate.doc,
                lang=candidate.lang,
                model_label=classes[best],
                model_score=float(proba[i, best]),
                margin=float(1.0 - margins[i]),
                entropy=float(entropies[i]),
                probabilities={c: float(p) for c, p in zip(classes, proba[i])},
            )
        )
    return chosen


# -- writing ---------------------------------------------------------------------------------


def _fields(s: Suggestion) -> dict:
    return {
        "doc": s.doc,
        "source": s.source,
        "lang": s.lang,
        "model_label": s.model_label,
        "model_score": round(s.model_score, 4),
        "margin": round(s.margin, 4),
        "entropy": round(s.entropy, 4),
    }


def _write(suggestions: Sequence[Suggestion], handle: TextIO, format: str) -> None:
    if format == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS)
        for s in suggestions:
            writer.writerow([s.text, "", *_fields(s).values()])
    elif format == "label-studio":
        # A JSON list of tasks: Label Studio's own import format. Each task's
        # data carries the model's view, for a labelling config to show.
        tasks = [{"data": {"text": s.text, **_fields(s)}} for s in suggestions]
        json.dump(tasks, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    else:
        # doccano's text-classification import: "label" is a list, empty until labelled.
        for s in suggestions:
            handle.write(json.dumps({"text": s.text, "label": [], **_fields(s)}, ensure_ascii=False) + "\n")


def write_suggestions(suggestions: Sequence[Suggestion], out: str | Path | TextIO, format: str = "csv") -> None:
    """Write suggestions to be labelled: a CSV, a Label Studio import, or a doccano import.

    Parameters
    ----------
    suggestions : sequence of Suggestion
    out : str, Path or text file
        A path is written atomically (a temporary file, then renamed into place).
    format : {"csv", "label-studio", "doccano"}, default="csv"
        ``csv``: columns ``text``, an empty ``label`` to fill in, then ``doc``,
        ``source``, ``lang`` and the model's view. ``label-studio``: a JSON
        list of tasks with ``data.text``. ``doccano``: JSON lines with
        ``text`` and an empty ``label`` list. Once labelled, each is read back
        by :func:`stanceclf.read_labels` (the annotation tools' exports, or the
        filled-in CSV), with ``doc`` grouping the cross-validation folds.

    Examples
    --------
    >>> import io
    >>> s = Suggestion("Bitcoin rose.", "news.txt:1", "news.txt", "en", "market_commentary", 0.51, 0.1, 0.9, {})
    >>> buffer = io.StringIO(); write_suggestions([s], buffer)
    >>> buffer.getvalue().splitlines()[0]
    'text,label,doc,source,lang,model_label,model_score,margin,entropy'
    """
    if format not in SUGGESTION_FORMATS:
        raise ValueError(f"The 'format' parameter of write_suggestions must be one of {list(SUGGESTION_FORMATS)}. Got {format!r} instead.")
    if not isinstance(out, (str, os.PathLike)):
        _write(suggestions, out, format)
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            _write(suggestions, handle, format)
        # mkstemp makes files only the owner reads; give the usual permissions.
        os.chmod(temporary, _umask_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
