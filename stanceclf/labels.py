"""Reading labelled sentences from CSV, TSV and JSON-lines files."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LabelledText", "read_labels"]

_FORMATS = ("csv", "tsv", "jsonl")


@dataclass(frozen=True, slots=True)
class LabelledText:
    """A text and its label, with where it came from.

    Attributes
    ----------
    text, label : str
    source : str
        ``file:line`` of the record.
    metadata : dict
        The record's other fields (``doc`` and ``lang`` among them when present).
    """

    text: str
    label: str
    source: str
    metadata: dict = field(default_factory=dict)


def _detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("tsv", "tab"):
        return "tsv"
    if suffix == "csv":
        return "csv"
    with open(path, encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith("{"):
        return "jsonl"
    return "tsv" if "\t" in head.split("\n", 1)[0] else "csv"


def read_labels(path: str | Path, format: str | None = None) -> list[LabelledText]:
    """Read labelled texts from a CSV, TSV or JSON-lines file.

    Parameters
    ----------
    path : str or Path
        A file with ``text`` and ``label`` columns (CSV/TSV, header required)
        or fields (JSON lines). Other columns are kept as metadata.
    format : {"csv", "tsv", "jsonl"}, optional
        Overrides detection from the file name and content.

    Returns
    -------
    list of LabelledText

    Raises
    ------
    ValueError
        A record lacks ``text`` or ``label`` or is not valid; the message names
        the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
    >>> _ = p.write_text("text,label\\nBitcoin rose.,market_commentary\\n", encoding="utf-8")
    >>> [(r.text, r.label) for r in read_labels(p)]
    [('Bitcoin rose.', 'market_commentary')]
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"The 'path' parameter of read_labels must be a str or Path. Got {type(path).__name__} instead.")
    path = Path(path)
    if format is not None and format not in _FORMATS:
        raise ValueError(f"The 'format' parameter of read_labels must be one of {list(_FORMATS)}. Got {format!r} instead.")
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {path}")
    format = format or _detect_format(path)
    records: list[LabelledText] = []
    problems: list[str] = []
    with open(path, encoding="utf-8", newline="") as handle:
        if format == "jsonl":
            rows = []
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as error:
                    problems.append(f"{path}:{number}: not valid JSON ({error.msg})")
                    continue
                if not isinstance(value, dict):
                    problems.append(f"{path}:{number}: expected a JSON object, got {type(value).__name__}")
                    continue
                rows.append((number, value))
        else:
            reader = csv.DictReader(handle, delimiter="\t" if format == "tsv" else ",")
            rows = [(reader.line_num, dict(row)) for row in reader]
    for number, row in rows:
        text, label = row.get("text"), row.get("label")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{path}:{number}: missing or empty 'text'")
            continue
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{path}:{number}: missing or empty 'label'")
            continue
        metadata = {k: v for k, v in row.items() if k not in ("text", "label")}
        records.append(LabelledText(text, label.strip(), f"{path}:{number}", metadata))
    if problems:
        raise ValueError(f"{len(problems)} problem(s) in {path}: " + "; ".join(problems[:20]))
    return records
