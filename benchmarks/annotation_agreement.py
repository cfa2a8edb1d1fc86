"""Agreement between the two independent annotation passes of the seed corpus.

    python benchmarks/annotation_agreement.py

prints Cohen's kappa, raw agreement and the confusion between
``seeds/agreement/pass_a.jsonl`` and ``pass_b.jsonl`` as Markdown, the text
quoted in ``seeds/README.md``.
"""

from __future__ import annotations

import sys

from stanceclf._resources import seeds_dir
from stanceclf.corpus import LABELS, SKIP, read_jsonl


def agreement() -> dict:
    """Kappa, agreement and confusion (rows pass A, columns pass B) of the two passes."""
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    directory = seeds_dir() / "agreement"
    first = read_jsonl(directory / "pass_a.jsonl")
    second = read_jsonl(directory / "pass_b.jsonl")
    if [(r["doc"], r["index"]) for r in first] != [(r["doc"], r["index"]) for r in second]:
        raise ValueError("The two passes do not label the same sentences in the same order.")
    a = [r["label"] for r in first]
    b = [r["label"] for r in second]
    labels = [*LABELS, SKIP]
    return {
        "n": len(a),
        "kappa": float(cohen_kappa_score(a, b)),
        "agreement": sum(x == y for x, y in zip(a, b)) / len(a),
        "labels": labels,
        "confusion": confusion_matrix(a, b, labels=labels).tolist(),
        "disagreements": sum(x != y for x, y in zip(a, b)),
    }


def markdown(result: dict) -> str:
    lines = [
        f"Sentences labelled by both passes: {result['n']}. Cohen's kappa: **{result['kappa']:.3f}**; "
        f"raw agreement {result['agreement']:.1%} ({result['disagreements']} disagreements).",
        "",
        "| pass A \\ pass B | " + " | ".join(result["labels"]) + " |",
        "|---" * (len(result["labels"]) + 1) + "|",
    ]
    for label, row in zip(result["labels"], result["confusion"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(agreement()))
    sys.exit(0)
