"""The seed corpus is complete, consistent with the segmenter, and described truthfully."""

import collections
import re

import pytest

from stanceclf import LABELS, clean_text, segment_sentences
from stanceclf._resources import seeds_dir
from stanceclf.corpus import (
    INGREDIENTS,
    build_training_set,
    load_annotations,
    load_seed_documents,
    load_supplementary,
    load_translations,
)

VALID = set(LABELS) | {"skip"}


@pytest.fixture(scope="module")
def annotations():
    return load_annotations()


@pytest.fixture(scope="module")
def documents():
    return load_seed_documents()


def test_five_seed_documents(documents):
    assert len(documents) == 5
    assert all(re.fullmatch(r"\d{3}_[0-9a-f]{16}", doc) for doc in documents)


def test_every_record_text_is_its_slice_of_the_cleaned_text(annotations, documents):
    cleaned = {doc: clean_text(raw) for doc, raw in documents.items()}
    for record in annotations:
        assert cleaned[record["doc"]][record["start"] : record["end"]] == record["text"], record


def test_every_segmented_sentence_is_annotated_exactly_once(annotations, documents):
    keys = [(r["doc"], r["index"]) for r in annotations]
    assert len(keys) == len(set(keys))
    expected = []
    for doc, raw in documents.items():
        for index, sentence in enumerate(segment_sentences(clean_text(raw))):
            expected.append((doc, index, sentence.start, sentence.end, sentence.lang))
    assert [(r["doc"], r["index"], r["start"], r["end"], r["lang"]) for r in annotations] == expected


def test_labels_are_valid(annotations):
    for record in annotations:
        assert record["label"] in VALID
        if "secondary" in record:
            assert record["secondary"] in LABELS and record["secondary"] != record["label"]


def _table_counts(readme: str, heading: str) -> dict[tuple[str, str], int]:
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    counts = {}
    for line in rows[1:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for column, cell in zip(header[1:], cells[1:]):
            counts[(cells[0], column)] = int(cell)
    return counts


def test_counts_in_seeds_readme_match_the_file(annotations):
    readme = (seeds_dir() / "README.md").read_text(encoding="utf-8")
    printed = _table_counts(readme, "## Counts per document and label")
    actual = collections.Counter((r["doc"], r["label"]) for r in annotations)
    for doc in {r["doc"] for r in annotations}:
        for label in sorted(VALID):
            assert printed[(doc, label)] == actual[(doc, label)], (doc, label)
        assert printed[(doc, "total")] == sum(actual[(doc, label)] for label in VALID)
    for label in sorted(VALID):
        assert printed[("total", label)] == sum(v for (d, l), v in actual.items() if l == label)


def test_translations_cover_every_sentence_with_its_source_label(annotations):
    by_key = {(r["doc"], r["index"]): r for r in annotations}
    translations = load_translations()
    keys = [(t["doc"], t["index"]) for t in translations]
    assert sorted(keys) == sorted(by_key)
    for t in translations:
        source = by_key[(t["doc"], t["index"])]
        assert t["label"] == source["label"]
        assert t["lang"] != source["lang"]
        assert t["text"].strip()


def test_supplementary_corpus_is_labelled_and_unique():
    records = load_supplementary()
    texts = [r["text"] for r in records]
    assert len(texts) == len(set(texts))
    assert len({r["id"] for r in records}) == len(records)
    counts = collections.Counter((r["variant"], r["label"]) for r in records)
    for variant, minimum in (("en", 600), ("zh-Hans", 600), ("zh-Hant", 150)):
        assert sum(v for (var, _), v in counts.items() if var == variant) >= minimum
        for label in LABELS:
            assert counts[(variant, label)] >= minimum // 3
    assert all(r["origin"] == "authored" and r["label"] in LABELS for r in records)


def test_held_out_document_leaves_no_trace_in_training():
    held_out = "004_57e0f5cb65e350e3"
    train = build_training_set(INGREDIENTS, exclude_docs=[held_out])
    assert not [e for e in train if e.doc == held_out]
    test_texts = {r["text"] for r in load_annotations() if r["doc"] == held_out}
    assert not test_texts & {e.text for e in train}


def test_skip_sentences_never_train():
    texts = {e.text for e in build_training_set(INGREDIENTS)}
    skipped = {r["text"] for r in load_annotations() if r["label"] == "skip"}
    assert not skipped & {e.text for e in build_training_set(["seeds"])}
    assert texts


def test_traditional_variants_are_derived_from_simplified_translations():
    traditional = [e for e in build_training_set(["traditional"])]
    simplified = [t for t in load_translations() if t["variant"] == "zh-Hans" and t["label"] != "skip"]
    assert len(traditional) == len(simplified)
    assert any("區塊鏈" in e.text or "貨幣" in e.text for e in traditional)
