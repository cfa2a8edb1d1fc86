"""Reading labelled sentences: CSV/TSV, JSON lines and annotation-tool exports, validated.

Supported formats (detected from the file, or given with ``format=``):

* ``csv`` / ``tsv`` — a header row with ``text`` and ``label`` columns (any
  case); other columns are kept as metadata, ``doc`` and ``lang`` among them.
* ``jsonl`` — one JSON object per line with ``text`` and ``label``.
* ``doccano`` — doccano's text-classification JSONL export: ``text`` (or
  ``data``) and ``label`` as a list holding one label.
* ``label-studio`` — Label Studio's JSON export: a list of tasks with
  ``data.text`` and ``annotations[].result[].value.choices``. Each annotation
  that was not cancelled is one labelled record; tasks nobody annotated are
  skipped and counted.
* ``prodigy`` — Prodigy JSONL: ``text``, ``label`` (binary interface) or
  ``accept`` (choice interface), and ``answer``. Only accepted answers are
  labels; rejected and ignored ones are skipped and counted.

Everything is checked before anything is returned, and every problem found is
reported at once, each with its file and line (or record, for a JSON array):
bytes that are not UTF-8, records that are not JSON objects, missing or empty
text, missing labels, the same text given conflicting labels, and labels with
too few examples to train and cross-validate. Exact duplicates (same text,
ignoring runs of white space, and same label) are dropped and counted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "LABEL_FORMATS",
    "ON_CONFLICT",
    "LabelledText",
    "LabelProblem",
    "LabelProblems",
    "LabelConflict",
    "LabelledData",
    "detect_label_format",
    "read_labels",
    "load_labels",
    "label_count_problems",
]

LABEL_FORMATS = ("csv", "tsv", "jsonl", "doccano", "label-studio", "prodigy")
ON_CONFLICT = ("error", "last", "drop")

_BOM = b"\xef\xbb\xbf"
# Characters that ``surrogateescape`` decoding puts in place of bytes that are
# not UTF-8: a record holding one came from a line already reported.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class LabelledText:
    """A text and its label, with where it came from.

    Attributes
    ----------
    text, label : str
        The label is kept as given (surrounding white space removed).
    source : str
        ``file:line`` of the record (``file:record N`` in a JSON array).
    metadata : dict
        The record's other fields (``doc`` and ``lang`` among them when present).
    """

    text: str
    label: str
    source: str
    metadata: dict = field(default_factory=dict)

    @property
    def doc(self) -> str | None:
        """The ``doc`` field as a string, or ``None`` when the record has none."""
        value = self.metadata.get("doc")
        return None if value is None or str(value).strip() == "" else str(value)

    @property
    def lang(self) -> str | None:
        """The ``lang`` field, or ``None`` when the record has none."""
        value = self.metadata.get("lang")
        return None if value is None or str(value).strip() == "" else str(value)


@dataclass(frozen=True, slots=True)
class LabelProblem:
    """One thing wrong with labelled data, and where.

    Attributes
    ----------
    path : str
        The file (or the option, e.g. ``--with-seeds``) the problem is in.
    message : str
    line : int, optional
        The line number of a CSV, TSV or JSON-lines record.
    record : int, optional
        The position (from 1) of a record in a JSON array.
    """

    path: str
    message: str
    line: int | None = None
    record: int | None = None

    @property
    def where(self) -> str:
        """``file:line``, ``file:record N`` or ``file``."""
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.record is not None:
            return f"{self.path}:record {self.record}"
        return self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class LabelProblems(ValueError):
    """Labelled (or unlabelled) input data has problems; all of them are listed.

    Attributes
    ----------
    problems : list of LabelProblem
        In file order, then line order.

    Examples
    --------
    >>> error = LabelProblems([LabelProblem("mine.csv", "missing label", line=3)])
    >>> print(error)
    1 problem in the input data:
      mine.csv:3: missing label
    """

    def __init__(self, problems: Iterable[LabelProblem]):
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the input data:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class LabelConflict:
    """A text given different labels, and how it was resolved.

    Attributes
    ----------
    text : str
    occurrences : tuple of (source, label)
        Every occurrence, in reading order.
    kept : str or None
        The label kept (``on_conflict="last"``), or ``None`` when the text was dropped.
    """

    text: str
    occurrences: tuple[tuple[str, str], ...]
    kept: str | None


@dataclass
class LabelledData:
    """Validated labelled records from one or more files, and what was done to them.

    Attributes
    ----------
    records : list of LabelledText
        Deduplicated, conflicts resolved, in reading order.
    files : list of dict
        Per file: ``path``, ``format``, ``sha256`` of its bytes and ``records`` read.
    duplicates : int
        Exact duplicates dropped.
    conflicts : list of LabelConflict
        Texts with conflicting labels, resolved by ``on_conflict``.
    skipped : dict of str to int
        Records that carry no label by design (rejected or ignored Prodigy
        answers, unannotated or cancelled Label Studio tasks), by reason.
    on_conflict : str
    """

    records: list[LabelledText]
    files: list[dict]
    duplicates: int = 0
    conflicts: list[LabelConflict] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    on_conflict: str = "error"

    @property
    def labels(self) -> list[str]:
        """The distinct labels, sorted."""
        return sorted({r.label for r in self.records})

    @property
    def counts(self) -> dict[str, int]:
        """Records per label, sorted by label."""
        return dict(sorted(Counter(r.label for r in self.records).items()))

    def summary(self) -> dict:
        """A JSON-ready description for a model card."""
        return {
            "files": [dict(f) for f in self.files],
            "n_records": len(self.records),
            "per_label": self.counts,
            "duplicates_dropped": self.duplicates,
            "conflicts": {"policy": self.on_conflict, "texts": len(self.conflicts)},
            "skipped": dict(sorted(self.skipped.items())),
        }


# -- reading bytes --------------------------------------------------------------------


def _decode(data: bytes, path: str, problems: list[LabelProblem]) -> str:
    """Decode UTF-8, reporting each line that holds bytes that are not UTF-8."""
    offset = 0
    if data.startswith(_BOM):
        data, offset = data[len(_BOM):], len(_BOM)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(LabelProblem(path, "the file is UTF-16; save it as UTF-8"))
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # "\n" never occurs inside a multi-byte UTF-8 sequence, so lines can be checked one by one.
    position = offset
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = line[error.start]
            problems.append(
                LabelProblem(
                    path,
                    f"not UTF-8: byte 0x{byte:02x} at offset {position + error.start}; save the file as UTF-8",
                    line=number,
                )
            )
        position += len(line) + 1
    return data.decode("utf-8", errors="surrogateescape")


def _read_text(path: Path, problems: list[LabelProblem]) -> tuple[str, str]:
    """Return the file's text and the sha256 of its bytes."""
    data = path.read_bytes()
    return _decode(data, str(path), problems), hashlib.sha256(data).hexdigest()


def _check_path(path: Any, name: str = "path") -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"The '{name}' parameter must be a str or Path. Got {type(path).__name__} instead.")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a directory, not a file of labels")
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {path}")
    return path


# -- format detection ------------------------------------------------------------------


def _first_line(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
        while head and b"\n" not in head.lstrip():
            more = handle.read(1 << 16)
            if not more:
                break
            head += more
    return head.removeprefix(_BOM).decode("utf-8", errors="replace").lstrip().split("\n", 1)[0]


def _json_record_format(record: dict) -> str:
    if isinstance(record.get("data"), dict) and ("annotations" in record or "completions" in record):
        return "label-studio"
    if "answer" in record:
        return "prodigy"
    if isinstance(record.get("label"), list) or isinstance(record.get("labels"), list):
        return "doccano"
    return "jsonl"


def detect_label_format(path: str | Path) -> str:
    """Return the format of a file of labels, one of :data:`LABEL_FORMATS`.

    A ``.csv``, ``.tsv`` or ``.tab`` suffix decides; otherwise a file that
    starts with ``[`` is a Label Studio export, a file of JSON objects is told
    apart by its first record (``data`` and ``annotations``: Label Studio;
    ``answer``: Prodigy; ``label`` as a list: doccano; else plain JSON lines),
    and anything else is CSV, or TSV when its first line has a tab.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "export.jsonl"
    >>> _ = p.write_text('{"text": "Bitcoin rose.", "label": ["market_commentary"]}\\n', encoding="utf-8")
    >>> detect_label_format(p)
    'doccano'
    """
    path = _check_path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    first = _first_line(path)
    if first.startswith("["):
        return "label-studio"
    if first.startswith("{"):
        try:
            record = json.loads(first)
        except json.JSONDecodeError:
            return "jsonl"
        return _json_record_format(record) if isinstance(record, dict) else "jsonl"
    return "tsv" if "\t" in first else "csv"


# -- records of each format ---------------------------------------------------------------

# What a record yields: a LabelledText, a LabelProblem, or the reason it carries no label.
_Outcome = LabelledText | LabelProblem | str


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_label(value: Any) -> str | None:
    # Integer labels (0/1) are common in JSON; CSV would give them as strings anyway.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _make(path: str, where: dict, text: Any, label: Any, metadata: dict, text_name: str = "text") -> _Outcome:
    if not isinstance(text, str) and text is not None:
        return LabelProblem(path, f"'{text_name}' must be a string, got {type(text).__name__}", **where)
    if _is_blank(text):
        return LabelProblem(path, f"missing or empty '{text_name}'", **where)
    if _is_blank(label) or (isinstance(label, list) and not label):
        return LabelProblem(path, "missing label", **where)
    value = _as_label(label)
    if value is None:
        return LabelProblem(path, f"the label must be a string, got {json.dumps(label, ensure_ascii=False)}", **where)
    source = f"{path}:{where['line']}" if "line" in where else f"{path}:record {where['record']}"
    return LabelledText(text, value, source, metadata)


def _csv_records(path: str, text: str, delimiter: str) -> Iterator[_Outcome]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield LabelProblem(path, f"not valid {'CSV' if delimiter == ',' else 'TSV'} ({error})", line=start)
            return
        line, start = start, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            lowered = [cell.lower() for cell in header]
            missing = [name for name in ("text", "label") if name not in lowered]
            if missing:
                shown = ", ".join(repr(c) for c in header)
                yield LabelProblem(path, f"the header has no {' or '.join(repr(m) for m in missing)} column (columns: {shown})", line=line)
                return
            text_at, label_at = lowered.index("text"), lowered.index("label")
            continue
        if len(row) > len(header):
            yield LabelProblem(path, f"{len(row)} fields, but the header has {len(header)}", line=line)
            continue
        row = row + [""] * (len(header) - len(row))
        metadata = {name: value for k, (name, value) in enumerate(zip(header, row)) if k not in (text_at, label_at)}
        yield _make(path, {"line": line}, row[text_at], row[label_at], metadata)


def _json_lines(path: str, text: str) -> Iterator[tuple[int, dict | LabelProblem]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, LabelProblem(path, f"not valid JSON ({error.msg} at column {error.colno})", line=number)
            continue
        if not isinstance(value, dict):
            yield number, LabelProblem(path, f"expected a JSON object, got {type(value).__name__}", line=number)
            continue
        yield number, value


def _jsonl_record(path: str, where: dict, record: dict) -> Iterator[_Outcome]:
    metadata = {k: v for k, v in record.items() if k not in ("text", "label")}
    yield _make(path, where, record.get("text"), record.get("label"), metadata)


def _doccano_record(path: str, where: dict, record: dict) -> Iterator[_Outcome]:
    text_key = "text" if "text" in record else "data"
    label_key = "label" if "label" in record else "labels"
    labels = record.get(label_key)
    if isinstance(labels, list) and len(labels) > 1:
        yield LabelProblem(path, f"{len(labels)} labels {labels!r}; one label per text is needed", **where)
        return
    if isinstance(labels, list) and labels:
        labels = labels[0]
    metadata = {k: v for k, v in record.items() if k not in (text_key, label_key)}
    yield _make(path, where, record.get(text_key), labels, metadata, text_name=text_key)


def _prodigy_record(path: str, where: dict, record: dict) -> Iterator[_Outcome]:
    answer = record.get("answer")
    if answer in ("reject", "ignore"):
        yield f"prodigy {answer}"
        return
    if answer != "accept":
        yield LabelProblem(path, f"'answer' must be 'accept', 'reject' or 'ignore', got {json.dumps(answer)}", **where)
        return
    label = record.get("label")
    if "accept" in record:
        accepted = record["accept"]
        if isinstance(accepted, list) and len(accepted) > 1:
            yield LabelProblem(path, f"{len(accepted)} options accepted {accepted!r}; one label per text is needed", **where)
            return
        label = accepted[0] if isinstance(accepted, list) and accepted else None
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    metadata = {**meta, **{k: v for k, v in record.items() if k not in ("text", "label", "accept", "answer", "meta")}}
    yield _make(path, where, record.get("text"), label, metadata)


def _label_studio_task(path: str, where: dict, task: dict) -> Iterator[_Outcome]:
    data = task.get("data")
    if not isinstance(data, dict):
        yield LabelProblem(path, "no 'data' object; is this a Label Studio JSON export?", **where)
        return
    if "text" not in data:
        keys = ", ".join(repr(k) for k in data) or "none"
        yield LabelProblem(path, f"missing 'data.text' (data has keys: {keys})", **where)
        return
    annotations = task.get("annotations", task.get("completions")) or []
    live = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        yield "label-studio task without annotations"
        return
    if not live:
        yield "label-studio task with cancelled annotations only"
        return
    metadata = {k: v for k, v in data.items() if k != "text"}
    if "id" in task:
        metadata.setdefault("task_id", task["id"])
    for annotation in live:
        choices = [
            choice
            for result in annotation.get("result") or []
            if isinstance(result, dict) and result.get("type", "choices") == "choices"
            for choice in (result.get("value") or {}).get("choices") or []
        ]
        if len(choices) > 1:
            yield LabelProblem(path, f"an annotation chose {len(choices)} labels {choices!r}; one label per text is needed", **where)
            continue
        yield _make(path, where, data["text"], choices[0] if choices else None, metadata, text_name="data.text")


_JSON_RECORDS = {
    "jsonl": _jsonl_record,
    "doccano": _doccano_record,
    "prodigy": _prodigy_record,
    "label-studio": _label_studio_task,
}


def _outcomes(path: str, text: str, format: str) -> Iterator[_Outcome]:
    if format in ("csv", "tsv"):
        yield from _csv_records(path, text, "," if format == "csv" else "\t")
        return
    handler = _JSON_RECORDS[format]
    if format == "label-studio" and text.lstrip().startswith("["):
        try:
            tasks = json.loads(text)
        except json.JSONDecodeError as error:
            yield LabelProblem(path, f"not valid JSON ({error.msg})", line=error.lineno)
            return
        if not isinstance(tasks, list):
            yield LabelProblem(path, f"expected a JSON list of tasks, got {type(tasks).__name__}")
            return
        for number, task in enumerate(tasks, start=1):
            if isinstance(task, dict):
                yield from handler(path, {"record": number}, task)
            else:
                yield LabelProblem(path, f"expected a JSON object, got {type(task).__name__}", record=number)
        return
    for number, record in _json_lines(path, text):
        if isinstance(record, LabelProblem):
            yield record
        else:
            yield from handler(path, {"line": number}, record)


def _problem_order(problem: LabelProblem) -> int:
    return problem.line if problem.line is not None else problem.record if problem.record is not None else 0


def _read_file(path: Path, format: str | None, skipped: Counter) -> tuple[list[LabelledText], list[LabelProblem], dict]:
    problems: list[LabelProblem] = []
    text, sha256 = _read_text(path, problems)
    format = format or detect_label_format(path)
    bad_bytes = bool(problems)
    records: list[LabelledText] = []
    for outcome in _outcomes(str(path), text, format):
        if isinstance(outcome, str):
            skipped[outcome] += 1
        elif isinstance(outcome, LabelProblem):
            problems.append(outcome)
        elif bad_bytes and any(_ESCAPED_BYTE.search(v) for v in (outcome.text, outcome.label)):
            continue  # its line is already reported as not UTF-8
        elif _SURROGATE.search(outcome.text):
            path_name, where = _location(outcome.source)
            problems.append(LabelProblem(path_name, "the text holds an unpaired surrogate (\\ud800-\\udfff)", **where))
        else:
            records.append(outcome)
    problems.sort(key=_problem_order)
    return records, problems, {"path": str(path), "format": format, "sha256": sha256, "records": len(records)}


# -- whole data sets ----------------------------------------------------------------------


def _location(source: str) -> tuple[str, dict]:
    """Split a record's ``source`` into its path and the ``line``/``record`` of a LabelProblem."""
    path, _, number = source.rpartition(":")
    return path, ({"line": int(number)} if number.isdigit() else {"record": int(number.split()[-1])})


def _key(text: str) -> str:
    return " ".join(text.split())


def _where(source: str, path: str) -> str:
    # Within one file, "line 9" reads better than the full "file:9".
    if source.startswith(path + ":"):
        rest = source[len(path) + 1:]
        return rest if rest.startswith("record") else f"line {rest}"
    return source


def _resolve_conflicts(
    records: list[LabelledText], on_conflict: str, problems: list[LabelProblem]
) -> tuple[list[LabelledText], int, list[LabelConflict]]:
    by_text: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_text.setdefault(_key(record.text), []).append(index)
    keep: set[int] = set()
    duplicates = 0
    conflicts: list[LabelConflict] = []
    for indices in by_text.values():
        labels = {records[i].label for i in indices}
        if len(labels) == 1:
            keep.add(indices[0])
            duplicates += len(indices) - 1
            continue
        first = records[indices[0]]
        path, where = _location(first.source)
        kept = records[indices[-1]].label if on_conflict == "last" else None
        conflicts.append(LabelConflict(first.text, tuple((records[i].source, records[i].label) for i in indices), kept))
        if on_conflict == "drop":
            continue
        # With "error" the run fails anyway; keeping the first occurrence lets
        # the label counts checked next describe the file as written.
        keep.add(indices[-1] if on_conflict == "last" else indices[0])
        if on_conflict == "error":
            listed = ", ".join(f"{_where(records[i].source, path)} {records[i].label!r}" for i in indices)
            shown = first.text if len(first.text) <= 80 else first.text[:77] + "..."
            problems.append(LabelProblem(path, f"conflicting labels for the same text ({listed}): {shown!r}", **where))
    return [r for i, r in enumerate(records) if i in keep], duplicates, conflicts


def label_count_problems(records: Sequence[LabelledText], min_per_label: int = 1, *, where: str | None = None) -> list[LabelProblem]:
    """Problems with the label counts: fewer than two labels, or too few examples of one.

    Parameters
    ----------
    records : sequence of LabelledText
    min_per_label : int, default=1
        Examples each label needs (the number of cross-validation folds).
    where : str, optional
        What to name as the place of the problem; defaults to the files the
        records come from.

    Examples
    --------
    >>> rows = [LabelledText("a", "x", "f.csv:2"), LabelledText("b", "y", "f.csv:3")]
    >>> [str(p) for p in label_count_problems(rows, 2)]
    ["f.csv: label 'x' has 1 usable example; 2-fold cross-validation needs at least 2 per label", "f.csv: label 'y' has 1 usable example; 2-fold cross-validation needs at least 2 per label"]
    """
    def files(label: str | None = None) -> str:
        if where is not None:
            return where
        chosen = [r.source.rpartition(":")[0] for r in records if label is None or r.label == label]
        return ", ".join(dict.fromkeys(chosen)) or "the data"

    counts = Counter(r.label for r in records)
    problems: list[LabelProblem] = []
    if len(counts) < 2:
        found = ", ".join(repr(label) for label in sorted(counts)) or "none"
        problems.append(LabelProblem(files(), f"found {len(counts)} label{'s' if len(counts) != 1 else ''} ({found}); training needs at least 2"))
    for label, count in sorted(counts.items()):
        if count < min_per_label:
            problems.append(
                LabelProblem(
                    files(label),
                    f"label {label!r} has {count} usable example{'s' if count != 1 else ''}; "
                    f"{min_per_label}-fold cross-validation needs at least {min_per_label} per label",
                )
            )
    return problems


def _check_on_conflict(on_conflict: str, function: str) -> None:
    if on_conflict not in ON_CONFLICT:
        raise ValueError(f"The 'on_conflict' parameter of {function} must be one of {list(ON_CONFLICT)}. Got {on_conflict!r} instead.")


def _check_format(format: str | None, function: str) -> None:
    if format is not None and format not in LABEL_FORMATS:
        raise ValueError(f"The 'format' parameter of {function} must be one of {list(LABEL_FORMATS)}. Got {format!r} instead.")


def _load(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None,
    on_conflict: str,
    min_per_label: int | None,
) -> tuple[LabelledData, list[LabelProblem]]:
    """:func:`load_labels` without raising: the data read and the problems found."""
    _check_format(format, "load_labels")
    _check_on_conflict(on_conflict, "load_labels")
    if min_per_label is not None and (isinstance(min_per_label, bool) or not isinstance(min_per_label, int) or min_per_label < 1):
        raise ValueError(f"The 'min_per_label' parameter of load_labels must be an int >= 1. Got {min_per_label!r} instead.")
    chosen = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not chosen:
        raise ValueError("The 'paths' parameter of load_labels must name at least one file. Got none instead.")
    checked = [_check_path(p, "paths") for p in chosen]
    problems: list[LabelProblem] = []
    records: list[LabelledText] = []
    files: list[dict] = []
    skipped: Counter = Counter()
    for path in checked:
        found, file_problems, description = _read_file(path, format, skipped)
        if not found and not file_problems:
            file_problems.append(LabelProblem(str(path), "no labelled records"))
        records.extend(found)
        problems.extend(file_problems)
        files.append(description)
    records, duplicates, conflicts = _resolve_conflicts(records, on_conflict, problems)
    if min_per_label is not None:
        problems.extend(label_count_problems(records, min_per_label))
    return LabelledData(records, files, duplicates, conflicts, dict(skipped), on_conflict), problems


def load_labels(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    on_conflict: str = "error",
    min_per_label: int | None = None,
) -> LabelledData:
    """Read and validate labelled records from one or more files.

    Parameters
    ----------
    paths : str, Path or iterable of them
    format : str, optional
        One of :data:`LABEL_FORMATS` for every file; detected per file by default
        (see :func:`detect_label_format`).
    on_conflict : {"error", "last", "drop"}, default="error"
        What to do with a text given different labels (across all files):
        report it as a problem, keep the label read last, or drop the text.
    min_per_label : int, optional
        Also require two or more labels and this many examples of each (the
        number of cross-validation folds a training run will use).

    Returns
    -------
    LabelledData

    Raises
    ------
    LabelProblems
        Listing every problem found in every file.
    FileNotFoundError
        A file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
    >>> _ = p.write_text("text,label\\nBitcoin rose.,up\\nBitcoin rose.,up\\nBitcoin fell.,down\\n", encoding="utf-8")
    >>> data = load_labels(p)
    >>> data.counts, data.duplicates
    ({'down': 1, 'up': 1}, 1)
    """
    data, problems = _load(paths, format=format, on_conflict=on_conflict, min_per_label=min_per_label)
    if problems:
        raise LabelProblems(problems)
    return data


def read_labels(path: str | Path, format: str | None = None, *, on_conflict: str = "error") -> list[LabelledText]:
    """Read labelled texts from a file of labels: CSV, TSV, JSON lines, doccano, Label Studio or Prodigy.

    Parameters
    ----------
    path : str or Path
        A file with ``text`` and ``label`` columns (CSV/TSV, header required)
        or fields (JSON lines), or an annotation tool's export (see the module
        documentation). Other columns are kept as metadata.
    format : str, optional
        One of :data:`LABEL_FORMATS`; overrides detection from the file.
    on_conflict : {"error", "last", "drop"}, default="error"
        See :func:`load_labels`.

    Returns
    -------
    list of LabelledText
        Exact duplicates dropped.

    Raises
    ------
    LabelProblems
        Every problem in the file, each with its line or record number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
    >>> _ = p.write_text("text,label\\nBitcoin rose.,market_commentary\\n", encoding="utf-8")
    >>> [(r.text, r.label) for r in read_labels(p)]
    [('Bitcoin rose.', 'market_commentary')]
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"The 'path' parameter of read_labels must be a str or Path. Got {type(path).__name__} instead.")
    _check_format(format, "read_labels")
    _check_on_conflict(on_conflict, "read_labels")
    return load_labels([path], format=format, on_conflict=on_conflict).records
