"""Cost and speed measurements, each in a fresh Python process pinned to one core.

The parent calls :func:`run_task`; this file, run as a script, performs one
task and prints its result as one JSON line. A fresh process per measurement
means import, load and first-use costs are what a user meets, and no cache
of an earlier measurement helps a later one.

Only the standard library is imported at module level, so that the import of
stanceclf is timed from nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# One core: BLAS and OpenMP pools of one thread, and the process pinned to one CPU.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
TASKS = {}


def _task(function):
    TASKS[function.__name__] = function
    return function


def run_task(name: str, timeout: float = 900, **arguments) -> dict:
    """Run one measurement in a fresh process; return its JSON result."""
    process = subprocess.run(
        [sys.executable, str(Path(__file__)), name, json.dumps(arguments)],
        capture_output=True, text=True, env={**os.environ, **ONE_THREAD}, timeout=timeout,
    )
    if process.returncode != 0:
        raise RuntimeError(f"the cost measurement {name!r} failed:\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def import_seconds() -> float:
    """Seconds of ``import stanceclf`` in a fresh interpreter (Python start-up itself not counted)."""
    code = "import time; t = time.perf_counter(); import stanceclf; print(time.perf_counter() - t)"
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, **ONE_THREAD})
    return float(process.stdout.strip())


def summary(values: list[float]) -> dict:
    """Median, minimum, maximum and all values of repeated measurements."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": values}


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})


def _peak_rss_mb() -> float:
    # VmHWM belongs to this program's address space; getrusage's ru_maxrss
    # would also count the parent's memory copied at fork, before exec.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _clear_caches() -> int:
    """Clear every functools cache of stanceclf's modules; return how many were cleared."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if name == "stanceclf" or name.startswith("stanceclf."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
                    cleared += 1
    return cleared


@_task
def load() -> dict:
    """Import, ``load_model()`` and the first English and Chinese predictions."""
    started = time.perf_counter()
    import stanceclf

    imported = time.perf_counter()
    model = stanceclf.load_model()
    loaded = time.perf_counter()
    model.predict(["Bitcoin rose 5% on Monday."])
    first_en = time.perf_counter()
    model.predict(["央行宣布全面禁止虚拟货币交易。"])
    first_zh = time.perf_counter()
    return {
        "import": imported - started,
        "load_model": loaded - imported,
        "first_prediction_en": first_en - loaded,
        "first_prediction_zh": first_zh - first_en,
    }


@_task
def train(out_dir: str) -> dict:
    """Train the shipped configuration from the seeds as ``train_model`` does, save it, measure the files."""
    started = time.perf_counter()
    from stanceclf.persistence import save_model
    from stanceclf.training import train_model

    imported = time.perf_counter()
    model, card = train_model(cross_validate=False)
    trained = time.perf_counter()
    path = save_model(model, Path(out_dir) / "stanceclf-benchmark.joblib", card=card)
    return {
        "imports": imported - started,
        "train_model": trained - imported,
        "fit": card["training_seconds"],
        "n_sentences": card["training_data"]["n_sentences"],
        "artifact_bytes": path.stat().st_size,
        "card_bytes": path.with_suffix(".json").stat().st_size,
    }


@_task
def train_fasttext(params: dict, out_path: str) -> dict:
    """Train fastText on the shipped configuration's training material, save it, measure the file."""
    sys.path.insert(0, str(HERE))
    from systems import FastTextClassifier

    from stanceclf.corpus import build_training_set
    from stanceclf.training import DEFAULT_INGREDIENTS

    examples = build_training_set(DEFAULT_INGREDIENTS)
    started = time.perf_counter()
    model = FastTextClassifier(params).fit([e.text for e in examples], [e.label for e in examples])
    trained = time.perf_counter()
    model.model_.save_model(out_path)
    saved = time.perf_counter()
    return {
        "fit": trained - started,
        "save": saved - trained,
        "n_sentences": len(examples),
        "artifact_bytes": os.path.getsize(out_path),
        "peak_rss_mb": _peak_rss_mb(),
    }


@_task
def load_fasttext(path: str) -> dict:
    """Import fastText, load a saved model, predict once."""
    started = time.perf_counter()
    import fasttext

    imported = time.perf_counter()
    model = fasttext.load_model(path)
    loaded = time.perf_counter()
    model.predict(["bitcoin rose <pct> on monday"], k=1)
    return {"import": imported - started, "load_model": loaded - imported, "first_prediction": time.perf_counter() - loaded,
            "peak_rss_mb": _peak_rss_mb()}


@_task
def memory(sentences_path: str, fasttext_path: str | None = None) -> dict:
    """Peak memory of a process that loads a model and classifies the benchmark sentences."""
    import tracemalloc

    sentences = json.loads(Path(sentences_path).read_text(encoding="utf-8"))
    texts = sentences["en"] + sentences["zh"]
    baseline = _peak_rss_mb()
    if fasttext_path is None:
        import stanceclf

        model = stanceclf.load_model()
        model.predict(texts[:10])  # jieba and lazy state loaded before measuring
        after_load = _peak_rss_mb()
        tracemalloc.start()
        model.predict(texts)
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return {"n_sentences": len(texts), "rss_before_load_mb": baseline, "peak_rss_after_load_mb": after_load,
                "peak_rss_mb": _peak_rss_mb(), "python_allocations_peak_while_classifying_mb": traced_peak}
    sys.path.insert(0, str(HERE))
    import fasttext
    from systems import fasttext_line

    lines = [fasttext_line(t) for t in texts]
    model = fasttext.load_model(fasttext_path)
    after_load = _peak_rss_mb()
    model.predict(lines, k=1)
    return {"n_sentences": len(texts), "rss_before_load_mb": baseline, "peak_rss_after_load_mb": after_load,
            "peak_rss_mb": _peak_rss_mb()}


@_task
def throughput(sentences_path: str, fasttext_path: str | None, repetitions: int) -> dict:
    """Sentences per second of the shipped model, fastText and raw jieba on the same sentences, one core.

    Each repetition times one pass over each language's sentences, systems
    interleaved so that a slow moment of the machine hits all of them.
    stanceclf's functools caches are cleared before each timed stanceclf pass
    (and before fastText's tokenisation), so a pass never gains from having
    seen the same sentences before; the ``warm`` figure repeats a pass without
    clearing.
    """
    import logging

    import stanceclf

    sys.path.insert(0, str(HERE))
    from systems import fasttext_line

    sentences = json.loads(Path(sentences_path).read_text(encoding="utf-8"))
    model = stanceclf.load_model()
    warm_up = sentences["warm_up"]
    model.predict(warm_up)

    fasttext_model = None
    if fasttext_path is not None:
        import fasttext

        fasttext_model = fasttext.load_model(fasttext_path)
        fasttext_model.predict([fasttext_line(t) for t in warm_up], k=1)
        prepared = {lang: [fasttext_line(t) for t in sentences[lang]] for lang in ("en", "zh")}

    import jieba

    raw_jieba = jieba.Tokenizer()
    previous = jieba.default_logger.level
    jieba.default_logger.setLevel(logging.WARNING)
    raw_jieba.initialize()
    jieba.default_logger.setLevel(previous)

    def rate(function, items) -> float:
        started = time.perf_counter()
        function(items)
        return len(items) / (time.perf_counter() - started)

    try:  # jieba-rs, which stanceclf uses instead of jieba when it is installed
        import rjieba

        raw_rjieba = rjieba.Jieba()
    except ImportError:
        raw_rjieba = None

    runs: dict[str, dict[str, list[float]]] = {"en": {}, "zh": {}}
    for _ in range(repetitions):
        for lang in ("en", "zh"):
            items = sentences[lang]
            record = runs[lang]
            _clear_caches()
            record.setdefault("stanceclf", []).append(rate(model.predict, items))
            if fasttext_model is not None:
                record.setdefault("fasttext_predict_only", []).append(
                    rate(lambda lines: fasttext_model.predict(lines, k=1), prepared[lang]))
                _clear_caches()
                record.setdefault("fasttext_end_to_end", []).append(
                    rate(lambda texts: fasttext_model.predict([fasttext_line(t) for t in texts], k=1), items))
            if lang == "zh":
                record.setdefault("jieba_hmm_off", []).append(
                    rate(lambda texts: [raw_jieba.lcut(t, HMM=False) for t in texts], items))
                record.setdefault("jieba_default", []).append(
                    rate(lambda texts: [raw_jieba.lcut(t) for t in texts], items))
                if raw_rjieba is not None:
                    record.setdefault("rjieba_hmm_off", []).append(
                        rate(lambda texts: [raw_rjieba.cut(t, False) for t in texts], items))
    warm = {}
    for lang in ("en", "zh"):
        model.predict(sentences[lang])
        warm[lang] = rate(model.predict, sentences[lang])
    return {
        "n_sentences": {lang: len(sentences[lang]) for lang in ("en", "zh")},
        "repetitions": repetitions,
        "caches_cleared": _clear_caches(),
        "runs": runs,
        "stanceclf_warm": warm,
        "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }


if __name__ == "__main__":
    _pin_one_core()
    task_name, task_arguments = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(TASKS[task_name](**task_arguments)))
