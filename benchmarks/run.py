"""Benchmark stanceclf against baselines and fastText, on the same folds, in one run.

Run from the repository root:

    python benchmarks/run.py            # full run: benchmarks/REPORT.md, results/full.json, figures/
    python benchmarks/run.py --quick    # smoke test: a few systems, into benchmarks/.cache/quick/

Quality is measured by leave-one-document-out cross-validation over the
annotated seed corpus (:func:`stanceclf.evaluation.leave_one_document_out`):
each seed document is held out whole with its translations, supplementary
sentences only ever train, ``skip`` sentences are not scored. Speed and cost
are measured afterwards in fresh processes pinned to one core, with nothing
else of this run going on. Progress goes to stderr.
"""

from __future__ import annotations

import os

# One thread per BLAS/OpenMP pool, set before numpy loads: the benchmark measures
# one core, and a second BLAS thread competing with a busy core slows the
# logistic-regression solver several times over.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import costs  # noqa: E402
import report  # noqa: E402
from systems import (  # noqa: E402
    FASTTEXT_MISSING,
    FASTTEXT_REFERENCE,
    FASTTEXT_VARIANTS,
    System,
    effective_params,
    fasttext_version,
    stanceclf_label,
)

from stanceclf.corpus import INGREDIENTS, Example, build_training_set  # noqa: E402
from stanceclf.evaluation import (  # noqa: E402
    CrossValidationResult,
    bootstrap_macro_f1,
    leave_one_document_out,
    reliability_bins,
)
from stanceclf.persistence import SHIPPED_MODELS, library_versions, read_model_card  # noqa: E402
from stanceclf.tokenization import normalize_text  # noqa: E402
from stanceclf.training import DEFAULT_INGREDIENTS, DEFAULT_PARAMS  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = 0
CLASSIFIERS = ("logreg", "svm", "nb", "sgd")
FEATURES = ("word", "char", "word+char")
# Each classifier at StanceClassifier's defaults except the SVM, whose C=1.0 is
# the value benchmarks/model_selection.py uses for it.
CLASSIFIER_SETTINGS = {"logreg": {}, "svm": {"C": 1.0}, "nb": {}, "sgd": {}}
TRANSLATED = ("seeds", "translations", "traditional")

FULL = {
    "grid": [(c, f) for c in CLASSIFIERS for f in FEATURES],
    "fasttext": list(FASTTEXT_VARIANTS),
    "fasttext_reference": FASTTEXT_REFERENCE,
    "ablation": [
        ("seeds only", ("seeds",), False),
        ("seeds + translations", TRANSLATED, False),
        ("seeds + supplementary", ("seeds", "supplementary"), False),
        ("seeds + lexicon", ("seeds",), True),
        ("all together", INGREDIENTS, True),
    ],
    "fractions": (0.1, 0.2, 0.35, 0.5, 0.75),
    "cross_lingual_extra": True,
    "bootstrap": 2000,
    "repetitions": {"import": 7, "load": 5, "train": 3, "throughput": 7},
    "throughput_sentences": None,
}
QUICK = {
    "grid": [],
    "fasttext": ["fastText (defaults)"],
    "fasttext_reference": "fastText (defaults)",
    "ablation": [("seeds only", ("seeds",), False), ("seeds + lexicon", ("seeds",), True)],
    "fractions": (0.25,),
    "cross_lingual_extra": False,
    "bootstrap": 200,
    "repetitions": {"import": 3, "load": 2, "train": 1, "throughput": 3},
    "throughput_sentences": 300,
}


class Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self):
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)


# -- the plan --------------------------------------------------------------------------


def _shipped_system() -> System:
    return System(f"{stanceclf_label(DEFAULT_PARAMS)} (shipped default)", "stanceclf", dict(DEFAULT_PARAMS),
                  tuple(DEFAULT_INGREDIENTS), shipped=True)


def plan_systems(settings: dict, fasttext_installed: bool) -> list[System]:
    """Baselines, the stanceclf grid with the shipped default marked, and fastText, all on the shipped ingredients."""
    ingredients = tuple(DEFAULT_INGREDIENTS)
    shipped = _shipped_system()
    systems = [
        System("majority class", "baseline", {"rule": "the most frequent label of the training fold"}, ingredients),
        System("keyword rules", "baseline", {"rules": "stanceclf/data/keyword_rules.tsv over stanceclf/data/lexicon.tsv"},
               ingredients),
        shipped,
    ]
    shared = {k: v for k, v in DEFAULT_PARAMS.items() if k not in ("classifier", "features", "C", "alpha")}
    shipped_key = effective_params(shipped.params)
    for classifier, features in settings["grid"]:
        params = {**shared, "classifier": classifier, "features": features, **CLASSIFIER_SETTINGS[classifier]}
        if effective_params(params) != shipped_key:
            systems.append(System(stanceclf_label(params), "stanceclf", params, ingredients))
    if fasttext_installed:
        systems += [System(name, "fasttext", FASTTEXT_VARIANTS[name], ingredients) for name in settings["fasttext"]]
    return systems


def _job_key(system: System, ingredients, fraction: float) -> str:
    params = effective_params(system.params) if system.family == "stanceclf" else system.params
    return json.dumps([system.family, system.name if system.family != "stanceclf" else "", params,
                       sorted(ingredients), fraction], sort_keys=True)


class Plan:
    """Cross-validation jobs, deduplicated: two table rows that are the same experiment share one run."""

    def __init__(self):
        self.jobs: dict[str, dict] = {}

    def cv(self, system: System, ingredients=None, fraction: float = 1.0, explain: bool = False) -> str:
        ingredients = tuple(ingredients if ingredients is not None else system.ingredients)
        key = _job_key(system, ingredients, fraction)
        job = self.jobs.setdefault(key, {"kind": "cv", "system": system, "ingredients": ingredients,
                                         "fraction": fraction, "explain": False, "label": system.name})
        job["explain"] = job["explain"] or explain
        if fraction < 1.0:
            job["label"] = f"{system.name} on {fraction:.0%} of each training fold"
        return key

    def cross_lingual(self, system: System, train_lang: str, test_lang: str) -> str:
        key = json.dumps(["xl", _job_key(system, system.ingredients, 1.0), train_lang, test_lang])
        self.jobs[key] = {"kind": "cross_lingual", "system": system, "ingredients": system.ingredients,
                          "train_lang": train_lang, "test_lang": test_lang,
                          "label": f"{system.name}, trained on {train_lang} only, tested on {test_lang}"}
        return key


# -- work done in the worker processes ---------------------------------------------------------


def _run_job(job: dict) -> dict:
    started = time.perf_counter()
    if job["kind"] == "cross_lingual":
        out = _run_cross_lingual(job)
    else:
        out = _run_cv(job)
    out["seconds"] = time.perf_counter() - started
    return out


def _worker_progress(label: str):
    def progress(message: str) -> None:
        print(f"         {label}: {message}", file=sys.stderr, flush=True)

    return progress


def _run_cv(job: dict) -> dict:
    system: System = job["system"]
    models = []

    def make():
        models.append(system.make())
        return models[-1]

    result = leave_one_document_out(make, job["ingredients"], progress=_worker_progress(job["label"]),
                                    train_fraction=job["fraction"], random_state=SEED)
    out = _serialise(result)
    if job["explain"]:
        out["errors"] = _explain_errors(result, models)
    return out


def _run_cross_lingual(job: dict) -> dict:
    system: System = job["system"]
    seeds = build_training_set(["seeds"])
    test_docs = sorted({e.doc for e in seeds if e.lang == job["test_lang"]})
    # exclude_docs drops the test documents' translations (and their Traditional variants) too.
    train = [e for e in build_training_set(job["ingredients"], exclude_docs=test_docs) if e.lang == job["train_lang"]]
    test = [e for e in seeds if e.doc in test_docs]
    _worker_progress(job["label"])(f"training on {len(train)} {job['train_lang']} sentences, "
                                   f"testing on {len(test)} {job['test_lang']} sentences of {len(test_docs)} documents")
    model = system.make().fit([e.text for e in train], [e.label for e in train])
    classes = sorted({e.label for e in seeds} | {str(c) for c in model.classes_})
    proba = np.zeros((len(test), len(classes)))
    raw = np.asarray(model.predict_proba([e.text for e in test]))
    for k, cls in enumerate(model.classes_):
        proba[:, classes.index(str(cls))] = raw[:, k]
    result = CrossValidationResult(test, [classes[k] for k in proba.argmax(axis=1)], proba, classes, [len(train)])
    out = _serialise(result)
    out["train_sources"] = sorted({e.source for e in train})
    out["test_docs"] = test_docs
    return out


def _serialise(result: CrossValidationResult) -> dict:
    return {
        "examples": [[e.text, e.label, e.doc, e.lang, e.source] for e in result.examples],
        "predicted": list(result.predicted),
        "proba": result.proba.tolist(),
        "classes": list(result.classes),
        "n_train": list(result.n_train),
    }


def _explain_errors(result: CrossValidationResult, models: list, top: int = 5) -> list[dict]:
    # Folds run in sorted document order, one model each: explain every error
    # with the model that made it (one that never saw the sentence's document).
    model_of = dict(zip(sorted({e.doc for e in result.examples}), models))
    rows = []
    for example, predicted, proba in zip(result.examples, result.predicted, result.proba):
        if predicted == example.label:
            continue
        explanation = model_of[example.doc].explain(example.text, top=top)
        rows.append({
            "doc": example.doc,
            "lang": example.lang,
            "text": example.text,
            "true": example.label,
            "predicted": predicted,
            "score": float(proba.max()),
            "p_true": float(proba[result.classes.index(example.label)]),
            "ngrams_predicted": explanation.contributions.get(predicted, []),
            "ngrams_true": explanation.contributions.get(example.label, []),
        })
    return rows


def _result(raw: dict) -> CrossValidationResult:
    return CrossValidationResult([Example(*e) for e in raw["examples"]], raw["predicted"], np.asarray(raw["proba"]),
                                 raw["classes"], raw["n_train"])


# -- summaries ------------------------------------------------------------------------------------


def _quality(result: CrossValidationResult, n_bootstrap: int, baseline: CrossValidationResult | None) -> dict:
    pooled = result.report()
    y_true = [e.label for e in result.examples]
    ci = bootstrap_macro_f1(y_true, result.predicted, baseline=baseline.predicted if baseline is not None else None,
                            n_resamples=n_bootstrap, random_state=SEED)
    return {
        "pooled": pooled,
        "macro_f1_ci": ci,
        "per_language": {lang: result.report(lang=lang) for lang in sorted({e.lang for e in result.examples})},
        "per_document": {doc: result.report(doc=doc) for doc in sorted({e.doc for e in result.examples})},
        "n_train_per_fold": result.n_train,
    }


def _benchmark_sentences(limit: int | None) -> dict:
    """Distinct sentences per language from the whole corpus; Traditional variants left out (they normalise to
    sentences already present and would be free cache hits)."""
    chosen: dict[str, list[str]] = {"en": [], "zh": []}
    seen: set[str] = set()
    for e in build_training_set(INGREDIENTS):
        key = normalize_text(e.text)
        if e.source != "traditional" and key not in seen:
            seen.add(key)
            chosen[e.lang].append(e.text)
    if limit is not None:
        chosen = {lang: texts[:limit] for lang, texts in chosen.items()}
    chosen["warm_up"] = chosen["en"][:20] + chosen["zh"][:20]
    return chosen


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _environment() -> dict:
    versions = library_versions()
    from importlib import metadata

    for name in ("matplotlib", "rjieba"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["fasttext-wheel"] = fasttext_version() or "not installed"
    return {
        "versions": versions,
        "cpu_model": _cpu_model(),
        "cpu_cores": os.cpu_count(),
        "platform": platform.platform(),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


def _shipped_artifact_check() -> dict:
    """Does the shipped artifact match DEFAULT_PARAMS / DEFAULT_INGREDIENTS? Its speed is what is measured."""
    from stanceclf._resources import models_dir

    path = models_dir() / f"{SHIPPED_MODELS['default']}.joblib"
    card = read_model_card(path)
    card_params = json.loads(json.dumps(card.get("params", {})))
    matches_params = card_params == effective_params(DEFAULT_PARAMS)
    matches_ingredients = card.get("training_data", {}).get("ingredients") == list(DEFAULT_INGREDIENTS)
    return {
        "artifact": path.name,
        "artifact_bytes": path.stat().st_size,
        "params": card_params,
        "ingredients": card.get("training_data", {}).get("ingredients"),
        "matches_default_params": matches_params,
        "matches_default_ingredients": matches_ingredients,
    }


# -- cost phase ------------------------------------------------------------------------------------


def measure_costs(settings: dict, reference: str | None, progress: Progress, scratch: Path) -> dict:
    repetitions = settings["repetitions"]
    sentences = _benchmark_sentences(settings["throughput_sentences"])
    sentences_path = scratch / "sentences.json"
    sentences_path.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    out: dict = {"stanceclf": {}, "fasttext": None}

    progress(f"cost: import stanceclf, {repetitions['import']} fresh processes")
    out["stanceclf"]["import_seconds"] = costs.summary([costs.import_seconds() for _ in range(repetitions["import"])])
    progress(f"cost: load_model() and first predictions, {repetitions['load']} fresh processes")
    loads = [costs.run_task("load") for _ in range(repetitions["load"])]
    out["stanceclf"]["load"] = {key: costs.summary([r[key] for r in loads]) for key in loads[0]}
    progress(f"cost: training the shipped configuration, {repetitions['train']} fresh processes")
    trains = [costs.run_task("train", out_dir=str(scratch)) for _ in range(repetitions["train"])]
    out["stanceclf"]["train"] = {key: costs.summary([r[key] for r in trains]) for key in ("imports", "train_model", "fit")}
    out["stanceclf"]["train"]["n_sentences"] = trains[0]["n_sentences"]
    out["stanceclf"]["artifact_bytes"] = trains[0]["artifact_bytes"]
    out["stanceclf"]["card_bytes"] = trains[0]["card_bytes"]
    progress("cost: peak memory while classifying (stanceclf)")
    out["stanceclf"]["memory"] = costs.run_task("memory", sentences_path=str(sentences_path))

    fasttext_path = None
    if reference is not None:
        fasttext_path = scratch / "fasttext.bin"
        progress(f"cost: training {reference} on the same material, saving it")
        trained = costs.run_task("train_fasttext", params=FASTTEXT_VARIANTS[reference], out_path=str(fasttext_path))
        progress("cost: loading fastText, peak memory while classifying (fastText)")
        loaded = [costs.run_task("load_fasttext", path=str(fasttext_path)) for _ in range(repetitions["load"])]
        out["fasttext"] = {
            "system": reference,
            "params": FASTTEXT_VARIANTS[reference],
            "train": trained,
            "artifact_bytes": trained["artifact_bytes"],
            "load": {key: costs.summary([r[key] for r in loaded]) for key in loaded[0]},
            "memory": costs.run_task("memory", sentences_path=str(sentences_path), fasttext_path=str(fasttext_path)),
        }
    progress(f"speed: {len(sentences['en'])} English and {len(sentences['zh'])} Chinese sentences, "
             f"{repetitions['throughput']} repetitions, one core")
    raw = costs.run_task("throughput", sentences_path=str(sentences_path),
                         fasttext_path=str(fasttext_path) if fasttext_path else None,
                         repetitions=repetitions["throughput"])
    out["throughput"] = _throughput_summary(raw)
    if fasttext_path is not None:
        fasttext_path.unlink(missing_ok=True)
    return out


def _throughput_summary(raw: dict) -> dict:
    summary = {"n_sentences": raw["n_sentences"], "repetitions": raw["repetitions"],
               "caches_cleared": raw["caches_cleared"], "cpu_affinity": raw["cpu_affinity"], "languages": {}}
    for lang, runs in raw["runs"].items():
        rates = {name: costs.summary(values) | {"first": values[0]} for name, values in runs.items()}
        rates["stanceclf_warm"] = {"median": raw["stanceclf_warm"][lang]}
        ours = rates["stanceclf"]["median"]
        ratios = {f"stanceclf / {name}": ours / rates[name]["median"]
                  for name in ("fasttext_predict_only", "fasttext_end_to_end", "jieba_hmm_off", "jieba_default",
                               "rjieba_hmm_off")
                  if name in rates}
        summary["languages"][lang] = {"sentences_per_second": rates, "ratios": ratios}
    return summary


# -- the run ---------------------------------------------------------------------------------------


def _plan(settings: dict, systems: list[System]) -> tuple[Plan, dict]:
    """Every experiment of the run, and which table rows read which experiment."""
    shipped = next(s for s in systems if s.shipped)
    plan = Plan()
    keys: dict = {"systems": {s.name: plan.cv(s, explain=s.shipped) for s in systems}}
    keys["ablation"] = []
    for label, ingredients, lexicon in settings["ablation"]:
        system = System(f"ablation: {label}", "stanceclf", {**DEFAULT_PARAMS, "use_lexicon": lexicon}, tuple(ingredients))
        keys["ablation"].append((label, ingredients, lexicon, plan.cv(system)))
    keys["curve"] = [(f, plan.cv(shipped, fraction=f)) for f in settings["fractions"]] + \
        [(1.0, keys["systems"][shipped.name])]
    cross_systems = [shipped, next(s for s in systems if s.name == "keyword rules")]
    if settings["cross_lingual_extra"]:
        # The same configuration with the lexicon switched: the lexicon is what shares features across languages.
        flipped = {**DEFAULT_PARAMS, "use_lexicon": not DEFAULT_PARAMS.get("use_lexicon", True)}
        cross_systems.insert(1, System(stanceclf_label(flipped), "stanceclf", flipped, tuple(DEFAULT_INGREDIENTS)))
        cross_systems.append(next(s for s in systems if s.name == "majority class"))
        cross_systems += [s for s in systems if s.family == "fasttext"]
    keys["cross"] = [(s, direction, plan.cross_lingual(s, *direction)) for s in cross_systems
                     for direction in (("en", "zh"), ("zh", "en"))]
    return plan, keys


def _execute(plan: Plan, jobs: int, progress: Progress) -> dict[str, dict]:
    """Run the experiments on worker processes; longest kinds first."""
    progress(f"quality: {len(plan.jobs)} experiments on {jobs} worker process(es), leave-one-document-out")
    results: dict[str, dict] = {}
    order = sorted(plan.jobs, key=lambda k: (plan.jobs[k]["kind"] != "cv", plan.jobs[k].get("fraction", 1.0) < 1.0))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_run_job, plan.jobs[key]): key for key in order}
        for done, future in enumerate(as_completed(futures), start=1):
            key = futures[future]
            results[key] = future.result()
            pooled = _result(results[key]).report()
            progress(f"quality {done}/{len(futures)} done: {plan.jobs[key]['label']}: macro-F1 {pooled['macro_f1']:.3f} "
                     f"({results[key]['seconds']:.1f}s)")
    return results


def _summarise(systems: list[System], plan: Plan, keys: dict, results: dict, n_boot: int) -> dict:
    """The quality sections of the results: systems, ablation, learning curve, cross-lingual, calibration."""
    shipped = next(s for s in systems if s.shipped)
    shipped_key = keys["systems"][shipped.name]
    for key, raw in results.items():
        if plan.jobs[key]["kind"] == "cv" and raw["examples"] != results[shipped_key]["examples"]:
            raise RuntimeError(f"{plan.jobs[key]['label']} scored other sentences than the shipped configuration.")
    shipped_result = _result(results[shipped_key])
    rows = []
    for system in systems:
        raw = results[keys["systems"][system.name]]
        rows.append({"name": system.name, "family": system.family, "params": system.params,
                     "ingredients": list(system.ingredients), "shipped": system.shipped, "cv_seconds": raw["seconds"],
                     **_quality(_result(raw), n_boot, None if system.shipped else shipped_result)})
    ablation = [{"name": label, "ingredients": list(ingredients), "use_lexicon": lexicon,
                 "params": {**DEFAULT_PARAMS, "use_lexicon": lexicon}, "is_shipped": key == shipped_key,
                 **_quality(_result(results[key]), n_boot, shipped_result)}
                for label, ingredients, lexicon, key in keys["ablation"]]
    curve = []
    for fraction, key in keys["curve"]:
        result = _result(results[key])
        quality = _quality(result, n_boot, None)
        curve.append({"fraction": fraction, "n_train_mean": float(np.mean(result.n_train)),
                      "n_train_per_fold": result.n_train, "macro_f1": quality["pooled"]["macro_f1"],
                      "macro_f1_ci": quality["macro_f1_ci"],
                      "macro_f1_per_language": {k: v["macro_f1"] for k, v in quality["per_language"].items()},
                      "accuracy": quality["pooled"]["accuracy"]})
    cross = []
    for system, (train_lang, test_lang), key in keys["cross"]:
        raw = results[key]
        result = _result(raw)
        cross.append({"system": system.name, "family": system.family, "params": system.params, "shipped": system.shipped,
                      "train_lang": train_lang, "test_lang": test_lang, "n_train": raw["n_train"][0],
                      "train_sources": raw["train_sources"], "test_docs": raw["test_docs"],
                      "report": result.report(),
                      "macro_f1_ci": bootstrap_macro_f1([e.label for e in result.examples], result.predicted,
                                                        n_resamples=n_boot, random_state=SEED),
                      "leave_one_document_out_same_sentences":
                          shipped_result.report(lang=test_lang) if system.shipped else None})
    calibration = {}
    for row in rows:
        result = _result(results[keys["systems"][row["name"]]])
        calibration[row["name"]] = reliability_bins([e.label for e in result.examples], result.proba, result.classes)
    return {"systems": rows, "ablation": ablation, "cross_lingual": cross, "learning_curve": curve,
            "calibration": calibration, "error_analysis": results[shipped_key]["errors"],
            "_scored": shipped_result.examples}


def run(settings: dict, *, name: str, out_dir: Path, jobs: int, mode: str, argv: list[str]) -> dict:
    """Measure everything, write results/NAME.json, REPORT.md and figures/ under ``out_dir``."""
    progress = Progress()
    started = time.perf_counter()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    version = fasttext_version()
    if version is None:
        progress(f"warning: {FASTTEXT_MISSING}; the report will say so")
    systems = plan_systems(settings, version is not None)
    shipped = next(s for s in systems if s.shipped)
    reference = next((s for s in systems if s.name == settings["fasttext_reference"]), None)
    plan, keys = _plan(settings, systems)
    quality = _summarise(systems, plan, keys, _execute(plan, jobs, progress), settings["bootstrap"])
    scored = quality.pop("_scored")
    quality_seconds = time.perf_counter() - started

    progress("cost and speed: fresh processes, one core")
    load_before_cost = os.getloadavg() if hasattr(os, "getloadavg") else None
    scratch = Path(tempfile.mkdtemp(prefix="stanceclf-bench-"))
    try:
        cost = measure_costs(settings, reference.name if reference is not None else None, progress, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    data = {
        "name": name,
        "mode": mode,
        "command": "python benchmarks/run.py" + ("" if not argv else " " + " ".join(argv)),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "environment": {**_environment(), "load_average": {
            "start": load_before, "before_cost_phase": load_before_cost,
            "end": os.getloadavg() if hasattr(os, "getloadavg") else None}},
        "protocol": {
            "cross_validation": "leave-one-document-out over the annotated seed documents: each document is held out "
                                "whole, with its translations and their Traditional variants; supplementary sentences "
                                "only train; skip sentences are not scored",
            "macro_f1": "mean F1 over the labels present in the scored sentences",
            "confidence_interval": f"95% percentile bootstrap, {settings['bootstrap']} resamples of the pooled "
                                   "out-of-fold sentences (seed 0); differences against the shipped default are paired "
                                   "(same resamples)",
            "calibration": "Brier score (sum over labels of squared error, mean over sentences) and expected "
                           "calibration error of the top-label probability in 10 equal-width bins",
            "random_seed": SEED,
            "n_scored_sentences": len(scored),
            "documents": {e.doc: e.lang for e in sorted(scored, key=lambda e: e.doc)},
            "workers": jobs,
        },
        "shipped": {"name": shipped.name, "params": DEFAULT_PARAMS, "effective_params": effective_params(DEFAULT_PARAMS),
                    "ingredients": list(DEFAULT_INGREDIENTS), "artifact": _shipped_artifact_check()},
        "fasttext": {"installed": version is not None, "version": version,
                     "note": None if version is not None else FASTTEXT_MISSING,
                     "variants": {n: FASTTEXT_VARIANTS[n] for n in settings["fasttext"]},
                     "reference": reference.name if reference is not None else None},
        **quality,
        "cost": cost,
        "timing": {"quality_seconds": quality_seconds, "cost_seconds": time.perf_counter() - started - quality_seconds},
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    data["figures"] = report.write_figures(data, out_dir / "figures", progress)
    data["timing"]["total_seconds"] = time.perf_counter() - started
    results_dir = out_dir / "results"
    results_dir.mkdir(exist_ok=True)
    json_path = results_dir / f"{name}.json"
    json_path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=_json_default) + "\n", encoding="utf-8")
    report_path = out_dir / "REPORT.md"
    report_path.write_text(report.render(data, json_path.relative_to(out_dir)), encoding="utf-8")
    progress(f"wrote {json_path} and {report_path} in {data['timing']['total_seconds']:.0f}s")
    return data


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few systems and repetitions: a smoke test of the harness")
    parser.add_argument("--name", default=None, help="results file name: results/NAME.json (default: full or quick)")
    parser.add_argument("--out-dir", default=None,
                        help="where REPORT.md, results/ and figures/ go (default: benchmarks/, or "
                             "benchmarks/.cache/quick with --quick)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="worker processes for the cross-validation phase (default: 2); speed is always one core")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    mode = "quick" if args.quick else "full"
    out_dir = Path(args.out_dir) if args.out_dir else (HERE / ".cache" / "quick" if args.quick else HERE)
    run(QUICK if args.quick else FULL, name=args.name or mode, out_dir=out_dir, jobs=args.jobs, mode=mode,
        argv=sys.argv[1:] if argv is None else argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
