"""Choose the shipped configuration by leave-one-document-out macro-F1.

Run from the repository root:

    python benchmarks/model_selection.py

It trains every configuration below on each fold (one seed document held out
whole, with its translations) and writes ``benchmarks/model_selection.md``
and ``benchmarks/results/model_selection.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from stanceclf import StanceClassifier
from stanceclf.corpus import INGREDIENTS
from stanceclf.evaluation import leave_one_document_out

HERE = Path(__file__).resolve().parent

CLASSIFIERS = {
    "logreg": {"classifier": "logreg"},
    "svm (calibrated)": {"classifier": "svm", "C": 1.0},
    "complement NB": {"classifier": "nb"},
    "sgd (log loss)": {"classifier": "sgd"},
}
FEATURES = ("word", "char", "word+char")
INGREDIENT_SETS = {
    "seeds only": ("seeds",),
    "all material": INGREDIENTS,
}


def _row(name: str, ingredients, params: dict) -> dict:
    started = time.perf_counter()
    result = leave_one_document_out(lambda: StanceClassifier(**params), ingredients)
    pooled = result.report()
    return {
        "config": name,
        "ingredients": list(ingredients),
        "params": params,
        "macro_f1": pooled["macro_f1"],
        "accuracy": pooled["accuracy"],
        "macro_f1_en": result.report(lang="en")["macro_f1"],
        "macro_f1_zh": result.report(lang="zh")["macro_f1"],
        "accuracy_zh": result.report(lang="zh")["accuracy"],
        "brier": pooled["brier"],
        "per_label_f1": {k: v["f1"] for k, v in pooled["per_label"].items()},
        "seconds": round(time.perf_counter() - started, 1),
    }


def _run(set_name: str, ingredients, clf_name: str, params: dict) -> dict:
    lexicon = params.get("use_lexicon", True)
    name = f"{clf_name} / {params['features']}{' + lexicon' if lexicon else ', no lexicon'}"
    if StanceClassifier(**params).get_params() == StanceClassifier().get_params():
        name += " (shipped default)"
    row = _row(name, ingredients, params)
    row["ingredient_set"] = set_name
    print(f"{set_name:<13} {name:<45} macro-F1 {row['macro_f1']:.3f}  zh acc {row['accuracy_zh']:.3f}", file=sys.stderr)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "model_selection.md"))
    parser.add_argument("--render-only", action="store_true", help="rewrite the Markdown from the saved JSON")
    args = parser.parse_args(argv)
    results = HERE / "results" / "model_selection.json"
    if args.render_only:
        Path(args.out).write_text(_markdown(json.loads(results.read_text(encoding="utf-8"))), encoding="utf-8")
        return 0
    rows = []
    for set_name, ingredients in INGREDIENT_SETS.items():
        for clf_name, clf_params in CLASSIFIERS.items():
            for features in FEATURES:
                rows.append(_run(set_name, ingredients, clf_name, {**clf_params, "features": features}))
        # What the lexicon adds to the default configuration.
        rows.append(_run(set_name, ingredients, "logreg", {"features": "word+char", "use_lexicon": False}))
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    Path(args.out).write_text(_markdown(rows), encoding="utf-8")
    return 0


def _markdown(rows: list[dict]) -> str:
    lines = [
        "# Model selection",
        "",
        "Leave-one-document-out cross-validation over the five seed documents: each document is held out",
        "whole, with its translations; `skip` sentences are not scored; supplementary sentences only ever train.",
        "Macro-F1 averages the labels present in the scored sentences. Regenerate with",
        "`python benchmarks/model_selection.py`.",
        "",
    ]
    for set_name in INGREDIENT_SETS:
        lines += [f"## Trained on: {set_name}", "",
                  "| configuration | macro-F1 | accuracy | macro-F1 en | macro-F1 zh | accuracy zh | Brier |",
                  "|---|---|---|---|---|---|---|"]
        subset = sorted((r for r in rows if r["ingredient_set"] == set_name), key=lambda r: -r["macro_f1"])
        for r in subset:
            lines.append(
                f"| {r['config']} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | {r['macro_f1_en']:.3f} | "
                f"{r['macro_f1_zh']:.3f} | {r['accuracy_zh']:.3f} | {r['brier']:.3f} |"
            )
        lines.append("")
    lines += [
        "## The choice",
        "",
        "The shipped default is logistic regression on TF-IDF word (1-2) and character (1-4) n-grams plus",
        "the lexicon concepts, trained on all material. On all material it ties with SGD and the calibrated",
        "SVM on the same features (differences under 0.01, well inside the bootstrap interval of the",
        "benchmark report) and beats complement naive Bayes; it is kept for its native, well-ranked",
        "probabilities and its deterministic solver. The lexicon is the largest single gain when training on the seeds alone,",
        "and still adds on all material. The same five documents both choose and score the configuration,",
        "so the best row of each table is somewhat optimistic; the spread between rows shows how much a",
        "choice of family matters here.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
