"""Speed and scale of stanceclf: throughput, start-up, streaming memory, --jobs, training.

Run from the repository root (takes about 10 minutes; ``--quick`` about 2):

    python benchmarks/speed.py [--quick] [--out benchmarks/results/speed.json]

Everything is measured in this one run, on this machine, one process at a time:

* throughput of the shipped model per language on the corpus' unique sentences:
  as stanceclf 1.0.0 computed it, with scikit-learn's vectorizers, and with
  stanceclf's own path (cold: caches emptied before each pass; warm: a second
  pass), against raw jieba on the same Chinese sentences, and against fastText
  (``fasttext-wheel``) and rjieba when installed;
* the cost of one ``predict`` call for batches of 1 to 2,000 sentences;
* ``import stanceclf`` and ``load_model()`` in fresh interpreters;
* peak memory (max RSS) of ``classify_stream`` and of ``stanceclf classify``
  on 10k, 100k and 1M sentences, each size in its own process;
* ``stanceclf classify --jobs 1`` against ``--jobs 2`` on the same file
  (output compared byte for byte);
* ``stanceclf train --seeds --no-cv``, and ``stanceclf train --data FILE --search`` on the
  same sentences.

Timings are the median of repetitions; throughput is the best of them (the
least disturbed by other processes). The load average is recorded with each
section because the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _sentences() -> dict[str, list[str]]:
    from stanceclf.corpus import build_training_set

    by_lang: dict[str, dict[str, None]] = {"en": {}, "zh": {}}
    for example in build_training_set():
        by_lang[example.lang][example.text] = None
    return {lang: list(texts) for lang, texts in by_lang.items()}


def _best_rate(function, items, repeat: int, before=None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        function(items)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def throughput(repeat: int) -> dict:
    import stanceclf
    from stanceclf import _fastpath, tokenization
    from stanceclf.tokenization import jieba_tokenizer

    model = stanceclf.load_model()
    pipeline = model.pipeline_
    sentences = _sentences()
    jieba = jieba_tokenizer()
    model.predict(["warm-up"])  # builds the n-gram index once, as any first call does

    def forget_words():  # a cold start: no word n-grams, no Chinese run cut yet
        tokenization._cut_chinese.cache_clear()
        for index in list(_fastpath._indexes.values()):
            if index:
                index._reset_words()

    result: dict = {"load_average": _load(), "n_sentences": {k: len(v) for k, v in sentences.items()}}
    version_1 = _Version1(pipeline)
    for lang, texts in sentences.items():
        row = {
            "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
            "stanceclf_1_0_0_path": _best_rate(version_1, texts, repeat),
            "scikit_learn_vectorizers": _best_rate(pipeline.predict_proba, texts, repeat, before=forget_words),
            "stanceclf_cold": _best_rate(model.predict, texts, repeat, before=forget_words),
            "stanceclf_warm": _best_rate(model.predict, texts, repeat),
        }
        if lang == "zh":
            row["raw_jieba_cut"] = _best_rate(lambda xs: [list(jieba.cut(x, HMM=False)) for x in xs], texts, repeat)
        row.update(_fasttext(texts, sentences, repeat))
        result[lang] = row
    result["rjieba"] = _rjieba(sentences["zh"], repeat)
    return result


class _Version1:
    """``predict_proba`` as stanceclf 1.0.0 ran it, on the same fitted model.

    scikit-learn's own vectorizers, jieba's ``cut`` for every Chinese run, and
    the lexicon as one flat alternation of its cues, longest first.
    """

    def __init__(self, pipeline):
        import copy
        import re

        self.pipeline = copy.deepcopy(pipeline)
        for name, part in self.pipeline.named_steps["features"].transformer_list:
            if name == "concept":
                alternatives = [
                    re.escape(cue) if re.search(r"[^\x00-\x7f]", cue) else rf"(?<![a-z0-9]){re.escape(cue)}(?![a-z0-9])"
                    for cue in sorted(part.concept_of_, key=len, reverse=True)
                ]
                part.pattern_ = re.compile("|".join(alternatives))

    def with_jieba(self, function):
        from functools import lru_cache

        from stanceclf import tokenization

        fast = tokenization._cut_chinese
        # A fresh cache per call: every pass starts cold, as the others do.
        tokenization._cut_chinese = lru_cache(maxsize=65536)(
            lambda run: tuple(tokenization.jieba_tokenizer().cut(run, HMM=False))
        )
        try:
            return function()
        finally:
            tokenization._cut_chinese = fast

    def __call__(self, texts):
        return self.with_jieba(lambda: self.pipeline.predict_proba(texts))


def components(repeat: int) -> dict:
    """Microseconds per sentence of each step of the shipped model, before and after.

    "1.0.0" is the step as stanceclf 1.0.0 ran it (scikit-learn's vectorizers,
    jieba's cut, the flat lexicon alternation); "now" is this version's.
    Every pass starts cold (no cached word or Chinese run).
    """
    import stanceclf
    from stanceclf import _fastpath, tokenization

    model = stanceclf.load_model()
    pipeline = model.pipeline_
    old = _Version1(pipeline)
    model.predict(["warm-up 预热"])
    old(["warm-up 预热"])
    parts = dict(pipeline.named_steps["features"].transformer_list)
    old_parts = dict(old.pipeline.named_steps["features"].transformer_list)

    def cold():
        tokenization._cut_chinese.cache_clear()
        for index in list(_fastpath._indexes.values()):
            if index:
                index._reset_words()

    def microseconds(function, texts) -> float:
        return 1e6 / _best_rate(lambda xs: function(xs), texts, repeat, before=cold)

    jieba = tokenization.jieba_tokenizer()
    result: dict = {"load_average": _load()}
    for lang, texts in _sentences().items():
        normalised = pipeline.named_steps["normalize"].transform(texts)
        row = {"normalize": microseconds(pipeline.named_steps["normalize"].transform, texts)}
        if lang == "zh":
            row["raw_jieba_cut_of_the_sentence"] = microseconds(lambda xs: [list(jieba.cut(x, HMM=False)) for x in xs], texts)
        row["tokenize_1.0.0"] = microseconds(lambda xs: old.with_jieba(lambda: [tokenization.tokenize(x) for x in xs]), normalised)
        row["tokenize_now"] = microseconds(lambda xs: [tokenization.tokenize(x) for x in xs], normalised)
        for name in parts:
            if name == "concept":
                row["concept_1.0.0"] = microseconds(old_parts[name].transform, normalised)
                row["concept_now"] = microseconds(parts[name].transform, normalised)
            else:
                row[f"{name}_1.0.0"] = microseconds(lambda xs, n=name: old.with_jieba(lambda: old_parts[n].transform(xs)), normalised)
                row[f"{name}_now"] = microseconds(lambda xs, n=name: _fastpath._vectorize(parts[n], xs), normalised)
        features = _fastpath.transform(pipeline, texts)
        row["classifier"] = microseconds(lambda xs: pipeline.steps[-1][1].predict_proba(features), texts)
        row["whole_predict_1.0.0"] = microseconds(old, texts)
        row["whole_predict_now"] = microseconds(model.predict, texts)
        result[lang] = {k: round(v, 1) for k, v in row.items()}
    return result


def batches(repeat: int) -> dict:
    """Cost of one ``predict`` call by batch size: the fixed cost per call against the cost per sentence."""
    import stanceclf

    model = stanceclf.load_model()
    texts = [t for lang_texts in _sentences().values() for t in lang_texts]
    model.predict(texts)  # warm: this measures the cost of a call, not of first sights
    result: dict = {"load_average": _load()}
    for size in (1, 10, 100, 2000):
        calls = [texts[i : i + size] for i in range(0, min(len(texts), 200 * size), size)]
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for call in calls:
                model.predict(call)
            best = min(best, time.perf_counter() - start)
        result[str(size)] = {"ms_per_call": 1e3 * best / len(calls), "us_per_sentence": 1e6 * best / sum(map(len, calls))}
    return result


def _fasttext(texts: list[str], sentences: dict, repeat: int) -> dict:
    try:
        sys.path.insert(0, str(HERE))
        from systems import FastTextClassifier, fasttext_line
    except ImportError:
        return {}
    try:
        import fasttext  # noqa: F401
    except ImportError:
        return {"fasttext": "not installed"}
    from stanceclf.corpus import build_training_set

    examples = build_training_set()
    classifier = FastTextClassifier({"wordNgrams": 2}).fit([e.text for e in examples], [e.label for e in examples])
    lines = [fasttext_line(t) for t in texts]
    native = classifier.model_.f
    return {
        # What fastText itself costs on text already normalised and tokenised.
        "fasttext_pretokenised": _best_rate(lambda xs: native.multilinePredict(xs, 1, 0.0, "strict"), lines, repeat),
        # fastText fed raw sentences, tokenised as stanceclf tokenises (jieba for Chinese).
        "fasttext_with_tokenisation": _best_rate(
            lambda xs: native.multilinePredict([fasttext_line(x) for x in xs], 1, 0.0, "strict"), texts, repeat
        ),
    }


def _rjieba(texts: list[str], repeat: int) -> dict:
    try:
        import rjieba
    except ImportError:
        return {"status": "not installed"}
    from stanceclf.tokenization import _HAN_RUN, _user_dictionary_path, jieba_tokenizer, normalize_text

    segmenter = rjieba.Jieba()
    for line in Path(_user_dictionary_path()).read_text(encoding="utf-8").splitlines():
        word, freq, tag = (line.split() + [None, None])[:3]
        segmenter.add_word(word, int(freq) if freq else None, tag)
    jieba = jieba_tokenizer()
    from stanceclf.cleaning import clean_text
    from stanceclf.corpus import build_training_set, load_seed_documents

    corpus = [e.text for e in build_training_set()] + [clean_text(d) for d in load_seed_documents().values()]
    runs = [m.group(1) for t in corpus for m in _HAN_RUN.finditer(normalize_text(t)) if m.group(1)]
    differing = sum(list(jieba.cut(r, HMM=False)) != segmenter.cut(r, False) for r in runs)
    probe = "虚虚虚央央"  # equal-probability segmentations: the two break the tie differently
    return {
        "corpus_runs": len(runs),
        "corpus_runs_differing": differing,
        "probe": probe,
        "probe_jieba": list(jieba.cut(probe, HMM=False)),
        "probe_rjieba": segmenter.cut(probe, False),
        "jieba_runs_per_s": _best_rate(lambda xs: [list(jieba.cut(x, HMM=False)) for x in xs], runs, repeat),
        "rjieba_runs_per_s": _best_rate(lambda xs: [segmenter.cut(x, False) for x in xs], runs, repeat),
    }


_STARTUP = """
import time
t0 = time.perf_counter()
import stanceclf
t1 = time.perf_counter()
import sklearn.base
t2 = time.perf_counter()
model = stanceclf.load_model({path!r})
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def startup(repeat: int, scratch: Path) -> dict:
    from stanceclf.persistence import save_model
    from stanceclf.training import train_model

    # An artifact written by this version's save_model (gzip + standard pickle);
    # the shipped ones may still be in the joblib format of earlier versions.
    model, _ = train_model(["seeds"], cross_validate=False)
    fresh = save_model(model, scratch / "fresh.joblib")
    result: dict = {"load_average": _load()}
    for name, path in (("shipped", None), ("saved_by_this_version", str(fresh))):
        runs = [
            [float(x) for x in subprocess.run([PYTHON, "-c", _STARTUP.format(path=path)], check=True,
                                              capture_output=True, text=True).stdout.split()]
            for _ in range(repeat)
        ]
        result[name] = {
            "import_stanceclf_s": statistics.median(r[0] for r in runs),
            "import_sklearn_s": statistics.median(r[1] for r in runs),
            "load_model_after_sklearn_s": statistics.median(r[2] for r in runs),
            "load_model_total_s": statistics.median(r[1] + r[2] for r in runs),
        }
    return result


# Peak memory is the kernel's high-water mark of this process' resident set
# (VmHWM): unlike getrusage's ru_maxrss it does not carry over, through fork
# and exec, the peak of the process that started this one.
_PEAK_RSS_MB = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024"

_STREAM = """
import json, random, sys, time
import stanceclf
n = int(sys.argv[1])
sentences = json.load(open(sys.argv[2], encoding="utf-8"))
model = stanceclf.load_model()
list(model.classify_stream(sentences[:100]))
base = PEAK
rng = random.Random(0)
def documents():
    made = 0
    while made < n:
        k = min(rng.randint(1, 3), n - made)
        made += k
        yield " ".join(rng.choice(sentences) for _ in range(k))
start = time.perf_counter()
count = sum(len(p) for p in model.classify_stream(documents()))
print(json.dumps({"sentences": count, "seconds": time.perf_counter() - start,
                  "peak_rss_after_load_mb": base, "peak_rss_mb": PEAK}))
""".replace("PEAK", _PEAK_RSS_MB)


def _write_corpus(path: Path, sentences: list[str], n: int) -> None:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as handle:
        made = 0
        while made < n:
            k = min(rng.randint(1, 3), n - made)
            made += k
            handle.write(" ".join(rng.choice(sentences) for _ in range(k)) + "\n")


def streaming(sizes: list[int], scratch: Path) -> dict:
    sentences = [s.replace("\n", " ") for texts in _sentences().values() for s in texts]
    pool = scratch / "sentences.json"
    pool.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    result: dict = {"load_average": _load(), "classify_stream": {}, "cli": {}}
    for n in sizes:
        out = subprocess.run([PYTHON, "-c", _STREAM, str(n), str(pool)], check=True, capture_output=True, text=True)
        result["classify_stream"][n] = json.loads(out.stdout)
    for n in sizes:
        corpus = scratch / f"corpus_{n}.txt"
        _write_corpus(corpus, sentences, n)
        script = ("import sys; from stanceclf.cli import main; code = main(sys.argv[1:]); "
                  f"print({_PEAK_RSS_MB}, file=sys.stderr); sys.exit(code)")
        start = time.perf_counter()
        run = subprocess.run([PYTHON, "-c", script, "classify", "--format", "jsonl", str(corpus)],
                             check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        result["cli"][n] = {
            "bytes": corpus.stat().st_size,
            "seconds": time.perf_counter() - start,
            "peak_rss_mb": float(run.stderr.strip().splitlines()[-1]),
        }
        corpus.unlink()
    return result


def jobs_scaling(n: int, repeat: int, scratch: Path) -> dict:
    sentences = [s.replace("\n", " ") for texts in _sentences().values() for s in texts]
    corpus = scratch / "jobs.txt"
    _write_corpus(corpus, sentences, n)
    # Start-up is measured on one English and one Chinese line, so that both
    # runs load jieba as the corpus makes them do (an empty file would let
    # --jobs 1 skip it while --jobs 2 loads it before starting its workers).
    tiny = scratch / "two_lines.txt"
    tiny.write_text("Bitcoin rose 5% on Monday.\n央行宣布全面禁止虚拟货币交易。\n", encoding="utf-8")
    result: dict = {"load_average_before": _load(), "sentences": n, "bytes": corpus.stat().st_size}

    def run(jobs: int, source: Path, target: Path) -> float:
        start = time.perf_counter()
        with open(target, "wb") as handle:
            subprocess.run([PYTHON, "-m", "stanceclf", "classify", "--format", "jsonl", "--jobs", str(jobs),
                            str(source)], check=True, stdout=handle)
        return time.perf_counter() - start

    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeat):  # alternate, so that a busy spell of the machine hits both
        for jobs in (1, 2):
            times[jobs].append(run(jobs, corpus, scratch / f"jobs_{jobs}.jsonl"))
    for jobs in (1, 2):
        # Start-up (imports, loading the model and jieba, starting workers) is paid once per run.
        startup = statistics.median(run(jobs, tiny, scratch / "two_lines.jsonl") for _ in range(3))
        result[f"jobs_{jobs}"] = {"runs_s": times[jobs], "best_s": min(times[jobs]), "startup_s": startup}
    one, two = result["jobs_1"], result["jobs_2"]
    result["speedup_best_wall"] = one["best_s"] / two["best_s"]
    result["speedup_median_wall"] = statistics.median(times[1]) / statistics.median(times[2])
    result["speedup_best_after_startup"] = (one["best_s"] - one["startup_s"]) / (two["best_s"] - two["startup_s"])
    result["identical_output"] = (scratch / "jobs_1.jsonl").read_bytes() == (scratch / "jobs_2.jsonl").read_bytes()
    result["load_average_after"] = _load()
    return result


def training(repeat: int, scratch: Path) -> dict:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-m", "stanceclf", "train", "--seeds", "--no-cv", "--out", str(scratch / "t.joblib")],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    card = json.loads((scratch / "t.json").read_text(encoding="utf-8"))
    result = {"load_average": _load(), "command_s": statistics.median(times), "fit_s_in_card": card.get("training_seconds")}

    # --search on the same 2,947 sentences as a user's label file (text and
    # label only, so 5 stratified folds), once: it takes about a minute.
    from stanceclf.corpus import build_training_set
    from stanceclf.training import DEFAULT_INGREDIENTS

    labels = scratch / "labels.jsonl"
    with open(labels, "w", encoding="utf-8") as handle:
        for example in build_training_set(DEFAULT_INGREDIENTS):
            handle.write(json.dumps({"text": example.text, "label": example.label}, ensure_ascii=False) + "\n")
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "stanceclf", "train", "--data", str(labels), "--search", "--out", str(scratch / "s.joblib")],
                   check=True, capture_output=True)
    result["search_command_s"] = time.perf_counter() - start
    search = json.loads((scratch / "s.json").read_text(encoding="utf-8"))["search"]
    result["search_s_in_card"] = search["seconds"]
    result["search_configurations"] = search["n_configurations"]
    result["load_average_after"] = _load()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, streaming up to 100k sentences")
    parser.add_argument("--out", default=str(HERE / "results" / "speed.json"))
    parser.add_argument("--only", nargs="*", default=None,
                        choices=["throughput", "components", "batches", "startup", "streaming", "jobs", "training"])
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    chosen = set(args.only or ["throughput", "components", "batches", "startup", "streaming", "jobs", "training"])
    report: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        if "throughput" in chosen:
            report["throughput"] = throughput(repeat)
        if "components" in chosen:
            report["components"] = components(repeat)
        if "batches" in chosen:
            report["batches"] = batches(repeat)
        if "startup" in chosen:
            report["startup"] = startup(5 if args.quick else 9, scratch)
        if "streaming" in chosen:
            report["streaming"] = streaming(sizes, scratch)
        if "jobs" in chosen:
            report["jobs"] = jobs_scaling(30_000 if args.quick else 300_000, 2 if args.quick else 3, scratch)
        if "training" in chosen:
            report["training"] = training(3, scratch)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.only and out.exists():  # refresh some sections of an earlier report
        report = {**json.loads(out.read_text(encoding="utf-8")), **report}
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
