"""The seed corpus: documents, sentence annotations, translations and authored sentences.

Layout of ``seeds/``:

* ``<doc>.txt`` — the five seed documents, verbatim.
* ``annotations.jsonl`` — one record per sentence the segmenter cuts from
  ``clean_text(raw)``: ``doc``, ``index``, ``start``, ``end``, ``text``,
  ``label`` (or ``skip``), optional ``secondary`` and ``note``.
* ``translations/*.jsonl`` — each annotated sentence translated into the other
  language (``doc``, ``index``, ``lang``, ``variant``, ``text``, ``label``).
  Traditional Chinese variants are derived from the Simplified ones with
  OpenCC ``s2t`` when the corpus is built, not stored.
* ``supplementary/*.jsonl`` — authored sentences (``id``, ``lang``,
  ``variant``, ``text``, ``label``, ``origin``, ...), used for training only.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._resources import seeds_dir

__all__ = [
    "LABELS",
    "SKIP",
    "INGREDIENTS",
    "Example",
    "read_jsonl",
    "load_seed_documents",
    "load_annotations",
    "load_translations",
    "load_supplementary",
    "build_training_set",
    "examples_sha256",
]

LABELS = ("industry_support", "market_commentary", "regulatory_crackdown")
SKIP = "skip"
INGREDIENTS = ("seeds", "translations", "traditional", "supplementary")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled training or test sentence.

    Attributes
    ----------
    text, label : str
    doc : str
        The seed document the sentence comes from (translations keep their
        source's document), or ``"supplementary"``.
    lang : {"en", "zh"}
    source : {"seeds", "translations", "traditional", "supplementary"}
    """

    text: str
    label: str
    doc: str
    lang: str
    source: str


def read_jsonl(path: str | Path) -> list[dict]:
    """Read a JSON-lines file; blank lines are ignored, bad lines named by number."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON ({error.msg}).") from None
    return records


def load_seed_documents(directory: str | Path | None = None) -> dict[str, str]:
    """Return the raw seed documents by id (the file stem), in id order."""
    directory = Path(directory) if directory is not None else seeds_dir()
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.txt"))}


def load_annotations(directory: str | Path | None = None) -> list[dict]:
    """Return the sentence annotations of the seed documents, in document order."""
    directory = Path(directory) if directory is not None else seeds_dir()
    return read_jsonl(directory / "annotations.jsonl")


def load_translations(directory: str | Path | None = None) -> list[dict]:
    """Return the translations of the annotated seed sentences."""
    directory = Path(directory) if directory is not None else seeds_dir()
    return [r for path in sorted((directory / "translations").glob("*.jsonl")) for r in read_jsonl(path)]


def load_supplementary(directory: str | Path | None = None) -> list[dict]:
    """Return the authored supplementary sentences."""
    directory = Path(directory) if directory is not None else seeds_dir()
    return [r for path in sorted((directory / "supplementary").glob("*.jsonl")) for r in read_jsonl(path)]


@functools.cache
def _simplified_to_traditional():
    import opencc

    return opencc.OpenCC("s2t")


def _to_traditional(text: str) -> str:
    return _simplified_to_traditional().convert(text)


def build_training_set(
    ingredients: Iterable[str] = INGREDIENTS,
    *,
    exclude_docs: Sequence[str] = (),
    directory: str | Path | None = None,
) -> list[Example]:
    """Assemble labelled examples from the chosen ingredients, ``skip`` left out.

    Parameters
    ----------
    ingredients : iterable of str, default=all
        Any of ``"seeds"`` (annotated seed sentences), ``"translations"``
        (their translations), ``"traditional"`` (Traditional Chinese variants
        of the Simplified translations) and ``"supplementary"``.
    exclude_docs : sequence of str
        Seed documents to leave out, with their translations: the held-out
        documents of a cross-validation fold.

    Examples
    --------
    >>> examples = build_training_set(["seeds"])
    >>> sorted({e.label for e in examples}) == sorted(LABELS)
    True
    """
    chosen = list(ingredients)
    unknown = sorted(set(chosen) - set(INGREDIENTS))
    if unknown:
        raise ValueError(f"The 'ingredients' parameter must hold items of {list(INGREDIENTS)}. Got {unknown!r} instead.")
    excluded = set(exclude_docs)
    examples: list[Example] = []
    if "seeds" in chosen:
        for r in load_annotations(directory):
            if r["label"] != SKIP and r["doc"] not in excluded:
                examples.append(Example(r["text"], r["label"], r["doc"], r["lang"], "seeds"))
    if "translations" in chosen or "traditional" in chosen:
        for r in load_translations(directory):
            if r["label"] == SKIP or r["doc"] in excluded:
                continue
            if "translations" in chosen:
                examples.append(Example(r["text"], r["label"], r["doc"], r["lang"], "translations"))
            if "traditional" in chosen and r["variant"] == "zh-Hans":
                examples.append(Example(_to_traditional(r["text"]), r["label"], r["doc"], "zh", "traditional"))
    if "supplementary" in chosen:
        for r in load_supplementary(directory):
            examples.append(Example(r["text"], r["label"], "supplementary", r["lang"], "supplementary"))
    return examples


def examples_sha256(examples: Iterable[Example]) -> str:
    """A digest of the examples' text and label, to identify training data in a model card."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps([example.text, example.label], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
