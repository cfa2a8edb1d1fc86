"""Figures (PNG) and the Markdown report of a benchmark run, from its results dict alone."""

from __future__ import annotations

from pathlib import Path

MATPLOTLIB_MISSING = "matplotlib is not installed: pip install 'stanceclf[bench]'"
LABEL_ORDER = ("regulatory_crackdown", "industry_support", "market_commentary")
MIN_BIN = 5  # reliability-diagram bins with fewer sentences are not drawn


# -- figures ----------------------------------------------------------------------------------


def write_figures(data: dict, directory: Path, progress) -> dict:
    """Draw the confusion matrix, learning curve and reliability diagram; return their paths relative to the report."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        progress(f"warning: {MATPLOTLIB_MISSING}; no figures drawn")
        return {"skipped": MATPLOTLIB_MISSING}
    directory.mkdir(parents=True, exist_ok=True)
    figures = {}
    for name, draw in (("confusion_matrix", _confusion), ("learning_curve", _learning_curve), ("reliability", _reliability)):
        figure = draw(data, plt)
        path = directory / f"{name}.png"
        figure.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(figure)
        figures[name] = f"{directory.name}/{path.name}"
    progress(f"figures: {', '.join(figures.values())}")
    return figures


def _shipped(data: dict) -> dict:
    return next(row for row in data["systems"] if row["shipped"])


def _confusion(data: dict, plt):
    import numpy as np

    row = _shipped(data)
    panels = [("all sentences", row["pooled"])] + [(f"{lang} sentences", r) for lang, r in row["per_language"].items()]
    figure, axes = plt.subplots(1, len(panels), figsize=(4.8 * len(panels), 4.4), gridspec_kw={"wspace": 0.45})
    for number, (axis, (title, report)) in enumerate(zip(np.atleast_1d(axes), panels)):
        labels = report["labels"]
        order = [labels.index(label) for label in LABEL_ORDER if label in labels] + \
                [k for k, label in enumerate(labels) if label not in LABEL_ORDER]
        matrix = np.asarray(report["confusion"], dtype=float)[np.ix_(order, order)] if report["confusion"] else np.zeros((0, 0))
        shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        names = [_short(labels[k]) for k in order]
        axis.set_xticks(range(len(names)), names, rotation=30, ha="right")
        axis.set_yticks(range(len(names)), names)
        for i in range(len(names)):
            for j in range(len(names)):
                axis.text(j, i, f"{int(matrix[i, j])}", ha="center", va="center",
                          color="white" if shares[i, j] > 0.6 else "black", fontsize=11)
        axis.set_xlabel("predicted")
        if number == 0:
            axis.set_ylabel("true")
        axis.set_title(f"{title} (n={report['n']}, macro-F1 {report['macro_f1']:.2f})", fontsize=10)
    figure.suptitle(f"Confusion matrix, out-of-fold: {row['name']}", fontsize=11)
    return figure


def _learning_curve(data: dict, plt):
    figure, axis = plt.subplots(figsize=(7, 4.4))
    curve = data["learning_curve"]
    x = [point["n_train_mean"] for point in curve]
    axis.fill_between(x, [p["macro_f1_ci"]["low"] for p in curve], [p["macro_f1_ci"]["high"] for p in curve],
                      color="tab:blue", alpha=0.15, label="95% bootstrap interval (all)")
    axis.plot(x, [p["macro_f1"] for p in curve], "o-", color="tab:blue", label="all sentences")
    for lang, color in (("en", "tab:orange"), ("zh", "tab:red")):
        axis.plot(x, [p["macro_f1_per_language"].get(lang) for p in curve], "s--", color=color, alpha=0.8,
                  label=f"{lang} sentences")
    for row, style in ((_by_name(data, "keyword rules"), ":"), (_by_name(data, "majority class"), "-.")):
        if row is not None:
            axis.axhline(row["pooled"]["macro_f1"], color="grey", linestyle=style, label=f"{row['name']} (all)")
    axis.set_xlabel("training sentences per fold (mean over the 5 folds)")
    axis.set_ylabel("macro-F1, leave-one-document-out")
    axis.set_ylim(0, 1)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, loc="lower right")
    axis.set_title(f"Learning curve: {_shipped(data)['name']}", fontsize=10)
    return figure


def _reliability(data: dict, plt):
    figure, (axis, counts) = plt.subplots(2, 1, figsize=(6.4, 6.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    width = 0.1
    for offset, (name, color) in enumerate(_calibration_systems(data)):
        bins = data["calibration"][name]
        row = _by_name(data, name)
        # A bin of one or two sentences says nothing about calibration: drawn in the counts only.
        shown = [b for b in bins if b["n"] >= MIN_BIN]
        axis.plot([b["confidence"] for b in shown], [b["accuracy"] for b in shown], "-", color=color, alpha=0.7,
                  label=f"{name} (ECE {row['pooled']['ece']:.3f})")
        axis.scatter([b["confidence"] for b in shown], [b["accuracy"] for b in shown], color=color,
                     s=[12 + 1.5 * b["n"] for b in shown], alpha=0.8)
        counts.bar([b["low"] + width * (0.2 + 0.3 * offset) for b in bins], [b["n"] for b in bins], width=width * 0.3,
                   align="edge", color=color, alpha=0.8)
    axis.set_ylabel("accuracy in bin")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, loc="upper left")
    axis.set_title(f"Reliability diagram, out-of-fold top-label probability\n(marker area ~ sentences in bin; "
                   f"bins under {MIN_BIN} sentences not drawn)", fontsize=10)
    counts.set_xlabel("predicted probability of the chosen label (10 equal-width bins)")
    counts.set_ylabel("sentences")
    counts.grid(alpha=0.3)
    return figure


def _best_fasttext(data: dict) -> dict | None:
    rows = [r for r in data["systems"] if r["family"] == "fasttext"]
    return max(rows, key=lambda r: r["pooled"]["macro_f1"]) if rows else None


def _calibration_systems(data: dict) -> list[tuple[str, str]]:
    chosen = [(_shipped(data)["name"], "tab:blue")]
    if _best_fasttext(data) is not None:
        chosen.append((_best_fasttext(data)["name"], "tab:green"))
    others = [r for r in data["systems"] if r["family"] == "stanceclf" and not r["shipped"]]
    if others:
        chosen.append((max(others, key=lambda r: r["pooled"]["macro_f1"])["name"], "tab:purple"))
    return chosen


def _by_name(data: dict, name: str) -> dict | None:
    return next((row for row in data["systems"] if row["name"] == name), None)


def _short(label: str) -> str:
    return {"regulatory_crackdown": "crackdown", "industry_support": "support", "market_commentary": "commentary"}.get(label, label)


# -- the Markdown report ------------------------------------------------------------------------


def _f(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value != value:
        return "n/a"
    return f"{value:.{digits}f}"


def _ci(ci: dict) -> str:
    return f"{ci['macro_f1']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"


def _difference(ci: dict) -> str:
    if "difference" not in ci:
        return "–"
    return f"{ci['difference']:+.3f} [{ci['difference_low']:+.3f}, {ci['difference_high']:+.3f}]"


def _bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def render(data: dict, json_path: Path) -> str:
    """The Markdown report of one run."""
    shipped = _shipped(data)
    env = data["environment"]
    versions = env["versions"]
    lines = [
        "# stanceclf benchmark",
        "",
        f"Generated by `{data['command']}` ({data['mode']} run) on {data['date']} in "
        f"{data['timing']['total_seconds']:.0f} s; every number below was measured in that run. "
        f"Machine-readable results: [`{json_path}`]({json_path}).",
        "",
        f"Machine: {env['cpu_model']}, {env['cpu_cores']} cores, {env['platform']}. "
        + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
    ]
    if "skipped" in data["figures"]:
        lines += [f"**No figures in this run**: {data['figures']['skipped']}.", ""]
    lines += _headline(data, shipped)
    lines += _protocol(data)
    lines += _systems(data)
    lines += _shipped_details(data, shipped)
    lines += _calibration(data)
    lines += _curve(data)
    lines += _ablation(data)
    lines += _cross_lingual(data)
    lines += _cost(data)
    lines += _speed(data)
    lines += _errors(data)
    lines += _notes(data)
    return "\n".join(lines) + "\n"


def _headline(data: dict, shipped: dict) -> list[str]:
    lines = ["## Headline", ""]
    pooled = shipped["pooled"]
    lines.append(f"- Shipped default, **{shipped['name']}** trained on {', '.join(shipped['ingredients'])}: "
                 f"leave-one-document-out macro-F1 **{_ci(shipped['macro_f1_ci'])}** (95% bootstrap interval), "
                 f"accuracy {_f(pooled['accuracy'])}, English macro-F1 {_f(shipped['per_language']['en']['macro_f1'])}, "
                 f"Chinese macro-F1 {_f(shipped['per_language']['zh']['macro_f1'])}.")
    stanceclf_rows = [r for r in data["systems"] if r["family"] == "stanceclf"]
    best = max(stanceclf_rows, key=lambda r: r["pooled"]["macro_f1"])
    if not best["shipped"]:
        lines.append(f"- Best stanceclf configuration in this run: {best['name']}, macro-F1 {_ci(best['macro_f1_ci'])}; "
                     f"difference to the shipped default {_difference(best['macro_f1_ci'])} (paired bootstrap).")
    for name in ("keyword rules", "majority class"):
        row = _by_name(data, name)
        if row is not None:
            lines.append(f"- Baseline {name}: macro-F1 {_ci(row['macro_f1_ci'])}; shipped minus baseline "
                         f"{_negate(row['macro_f1_ci'])}.")
    fasttext = data["fasttext"]
    if not fasttext["installed"]:
        lines.append(f"- **fastText was not measured in this run**: {fasttext['note']}.")
    else:
        for row in (r for r in data["systems"] if r["family"] == "fasttext"):
            lines.append(f"- {row['name']}: macro-F1 {_ci(row['macro_f1_ci'])}; shipped minus fastText "
                         f"{_negate(row['macro_f1_ci'])}.")
    speed = data["cost"]["throughput"]["languages"]
    for lang, name in (("en", "English"), ("zh", "Chinese")):
        rates = speed[lang]["sentences_per_second"]
        text = f"- {name} throughput, one core: stanceclf {rates['stanceclf']['median']:,.0f} sentences/s"
        if "fasttext_predict_only" in rates:
            text += (f"; {data['cost']['fasttext']['system']} {rates['fasttext_predict_only']['median']:,.0f}/s on "
                     "pre-tokenised text "
                     f"(ratio {speed[lang]['ratios']['stanceclf / fasttext_predict_only']:.2f}), "
                     f"{rates['fasttext_end_to_end']['median']:,.0f}/s including tokenisation "
                     f"(ratio {speed[lang]['ratios']['stanceclf / fasttext_end_to_end']:.2f})")
        if "jieba_hmm_off" in rates:
            text += (f"; raw jieba segmentation {rates['jieba_hmm_off']['median']:,.0f}/s with HMM off as stanceclf "
                     f"uses it (ratio {speed[lang]['ratios']['stanceclf / jieba_hmm_off']:.2f}), "
                     f"{rates['jieba_default']['median']:,.0f}/s with jieba's default HMM on "
                     f"(ratio {speed[lang]['ratios']['stanceclf / jieba_default']:.2f})")
        if "rjieba_hmm_off" in rates:
            text += (f"; raw rjieba (jieba-rs, HMM off) "
                     f"{rates['rjieba_hmm_off']['median']:,.0f}/s (ratio {speed[lang]['ratios']['stanceclf / rjieba_hmm_off']:.2f})")
        lines.append(text + ".")
    cost = data["cost"]["stanceclf"]
    lines.append(f"- `import stanceclf` {cost['import_seconds']['median'] * 1000:.0f} ms, `load_model()` "
                 f"{cost['load']['load_model']['median']:.2f} s, training the shipped configuration "
                 f"{cost['train']['train_model']['median']:.1f} s (fit alone {cost['train']['fit']['median']:.1f} s), "
                 f"artifact {_bytes(cost['artifact_bytes'])}.")
    return lines + [""]


def _negate(ci: dict) -> str:
    if "difference" not in ci:
        return "–"
    return f"{-ci['difference']:+.3f} [{-ci['difference_high']:+.3f}, {-ci['difference_low']:+.3f}]"


def _protocol(data: dict) -> list[str]:
    protocol = data["protocol"]
    return [
        "## Protocol",
        "",
        f"- Cross-validation: {protocol['cross_validation']}. {protocol['n_scored_sentences']} sentences scored in "
        f"{len(protocol['documents'])} documents; every system below is trained and scored on exactly these folds "
        "in this run.",
        f"- Macro-F1: {protocol['macro_f1']}.",
        f"- Uncertainty: {protocol['confidence_interval']}. Sentences of one document are not independent, so these "
        "intervals are narrower than the spread to expect on new documents; the per-document table shows that spread.",
        f"- Calibration: {protocol['calibration']}.",
        f"- Random seed {protocol['random_seed']} everywhere (folds are fixed by the documents; fastText is trained "
        "with one thread so that its result repeats).",
        "- Speed and cost: fresh Python processes pinned to one core with one BLAS thread, after the quality phase "
        "(which ran on " f"{protocol['workers']} worker processes).",
        "",
    ]


def _systems(data: dict) -> list[str]:
    lines = ["## All systems, same folds", ""]
    if not data["fasttext"]["installed"]:
        lines += [f"fastText rows are missing because {data['fasttext']['note']}.", ""]
    rows = []
    for row in data["systems"]:
        per_language = row["per_language"]
        name = f"**{row['name']}**" if row["shipped"] else row["name"]
        rows.append([name, row["family"], _ci(row["macro_f1_ci"]), _difference(row["macro_f1_ci"]),
                     _f(row["pooled"]["accuracy"]), _f(per_language.get("en", {}).get("macro_f1")),
                     _f(per_language.get("zh", {}).get("macro_f1")), _f(row["pooled"].get("brier")),
                     _f(row["pooled"].get("ece")), f"{row['cv_seconds']:.1f}"])
    lines += _table(["system", "family", "macro-F1 [95% CI]", "Δ vs shipped [95% CI]", "accuracy", "en macro-F1",
                     "zh macro-F1", "Brier", "ECE", "5-fold CV s"], rows)
    lines += ["", "Δ is this system minus the shipped default on the same bootstrap resamples. stanceclf rows share "
              "the shipped configuration's other settings (lexicon, n-gram ranges, class weights); the shipped "
              "default is in bold. CV seconds are wall time of the five folds on a worker process, including feature "
              "extraction, and vary with what else ran.", ""]
    return lines


def _shipped_details(data: dict, shipped: dict) -> list[str]:
    lines = [f"## The shipped default in detail: {shipped['name']}", "", "Per label, all sentences:", ""]
    pooled = shipped["pooled"]
    rows = [[label, _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), m["support"]]
            for label, m in pooled["per_label"].items()]
    lines += _table(["label", "precision", "recall", "F1", "support"], rows)
    lines += ["", "Confusion matrix (rows true, columns predicted), all sentences:", ""]
    labels = pooled["labels"]
    lines += _table(["true \\ predicted", *labels], [[label, *row] for label, row in zip(labels, pooled["confusion"])])
    if "confusion_matrix" in data["figures"]:
        lines += ["", f"![Confusion matrix]({data['figures']['confusion_matrix']})"]
    best = _best_fasttext(data)
    lines += ["", "Per language and per document (macro-F1; the keyword rules"
              + (f" and the best fastText variant, {best['name']}," if best else "") + " for comparison):", ""]
    compare = [shipped] + [r for r in data["systems"] if r["name"] == "keyword rules" or (best and r["name"] == best["name"])]
    groups = [("language", lang) for lang in shipped["per_language"]] + [("document", doc) for doc in shipped["per_document"]]
    rows = []
    for kind, key in groups:
        reports = [(r["per_language"] if kind == "language" else r["per_document"])[key] for r in compare]
        lang = _document_language(data, key) if kind == "document" else key
        rows.append([f"{kind} {key}" + (f" ({lang})" if kind == "document" else ""), reports[0]["n"],
                     *[_f(r["macro_f1"]) for r in reports], _f(reports[0]["accuracy"])])
    lines += _table(["subset", "n", *[r["name"] for r in compare], "shipped accuracy"], rows)
    return lines + [""]


def _document_language(data: dict, doc: str) -> str:
    return data["protocol"]["documents"].get(doc, "?")


def _calibration(data: dict) -> list[str]:
    lines = ["## Calibration", ""]
    rows = [[r["name"], _f(r["pooled"].get("brier")), _f(r["pooled"].get("ece"))] for r in data["systems"]]
    lines += _table(["system", "Brier", "ECE"], rows)
    lines += ["", "The keyword rules and the majority class give probability 1 to their answer, so their Brier score "
              "and ECE only restate their error rate."]
    if "reliability" in data["figures"]:
        lines += ["", f"![Reliability diagram]({data['figures']['reliability']})"]
    return lines + [""]


def _curve(data: dict) -> list[str]:
    lines = ["## Learning curve", "",
             f"The shipped configuration trained on a stratified random share of each training fold (seed "
             f"{data['protocol']['random_seed']}), scored on the same held-out documents.", ""]
    rows = [[f"{p['fraction']:.0%}", f"{p['n_train_mean']:.0f}", _ci(p["macro_f1_ci"]),
             _f(p["macro_f1_per_language"].get("en")), _f(p["macro_f1_per_language"].get("zh")), _f(p["accuracy"])]
            for p in data["learning_curve"]]
    lines += _table(["share", "training sentences (mean per fold)", "macro-F1 [95% CI]", "en", "zh", "accuracy"], rows)
    if "learning_curve" in data["figures"]:
        lines += ["", f"![Learning curve]({data['figures']['learning_curve']})"]
    return lines + [""]


def _ablation(data: dict) -> list[str]:
    lines = ["## Ingredient ablation (shipped configuration)", "",
             "The shipped classifier and features, trained on growing sets of material, with and without the concept "
             "lexicon. Same folds; Δ against the shipped default, paired bootstrap.", ""]
    labels = list(LABEL_ORDER)
    rows = []
    for row in data["ablation"]:
        per_label = row["pooled"]["per_label"]
        rows.append([row["name"] + (" (= shipped)" if row["is_shipped"] else ""), ", ".join(row["ingredients"]),
                     "yes" if row["use_lexicon"] else "no", f"{sum(row['n_train_per_fold']) / len(row['n_train_per_fold']):.0f}",
                     _ci(row["macro_f1_ci"]), _difference(row["macro_f1_ci"]),
                     _f(row["per_language"].get("en", {}).get("macro_f1")),
                     _f(row["per_language"].get("zh", {}).get("macro_f1")),
                     *[_f(per_label.get(label, {}).get("f1")) for label in labels]])
    lines += _table(["material", "ingredients", "lexicon", "training sentences (mean)", "macro-F1 [95% CI]",
                     "Δ vs shipped", "en", "zh", *[f"F1 {_short(label)}" for label in labels]], rows)
    return lines + [""]


def _cross_lingual(data: dict) -> list[str]:
    lines = ["## Cross-lingual transfer", "",
             "Trained on one language's material only (seed documents of that language, its supplementary "
             "sentences, and translations only of documents that are not tested — so nothing derived from a test "
             "document), tested on the other language's seed documents.", ""]
    rows = []
    for row in data["cross_lingual"]:
        report = row["report"]
        same = row["leave_one_document_out_same_sentences"]
        rows.append([row["system"], f"{row['train_lang']} → {row['test_lang']}", row["n_train"],
                     ", ".join(row["train_sources"]), report["n"], _ci(row["macro_f1_ci"]), _f(report["accuracy"]),
                     _f(same["macro_f1"]) if same else "–"])
    lines += _table(["system", "direction", "training sentences", "training sources", "test sentences",
                     "macro-F1 [95% CI]", "accuracy", "same sentences, leave-one-document-out with all material"], rows)
    return lines + [""]


def _cost(data: dict) -> list[str]:
    cost = data["cost"]
    ours = cost["stanceclf"]
    fasttext = cost["fasttext"]
    lines = ["## Cost", "", f"Medians over fresh processes ({len(ours['import_seconds']['values'])} for import, "
             f"{len(ours['load']['load_model']['values'])} for loading, {len(ours['train']['fit']['values'])} for "
             "training), one core.", ""]
    rows = [
        ["training the shipped configuration (train_model, all material)",
         f"{ours['train']['train_model']['median']:.2f} s (fit {ours['train']['fit']['median']:.2f} s, "
         f"{ours['train']['n_sentences']} sentences)",
         f"{fasttext['train']['fit']:.2f} s (incl. jieba tokenisation, one thread)" if fasttext else "not measured"],
        ["`import stanceclf` / `import fasttext`", f"{ours['import_seconds']['median'] * 1000:.0f} ms",
         f"{fasttext['load']['import']['median'] * 1000:.0f} ms" if fasttext else "not measured"],
        ["load_model()", f"{ours['load']['load_model']['median']:.3f} s",
         f"{fasttext['load']['load_model']['median']:.3f} s" if fasttext else "not measured"],
        ["first prediction after loading", f"en {ours['load']['first_prediction_en']['median']:.3f} s, "
         f"zh {ours['load']['first_prediction_zh']['median']:.3f} s (jieba dictionary)",
         f"{fasttext['load']['first_prediction']['median']:.3f} s" if fasttext else "not measured"],
        ["artifact on disk", f"{_bytes(ours['artifact_bytes'])} (+ {_bytes(ours['card_bytes'])} card)",
         f"{_bytes(fasttext['artifact_bytes'])}" if fasttext else "not measured"],
        ["peak resident memory, loading and classifying the speed sentences",
         f"{ours['memory']['peak_rss_mb']:.0f} MB", f"{fasttext['memory']['peak_rss_mb']:.0f} MB" if fasttext else "not measured"],
        ["peak Python allocations while classifying (tracemalloc)",
         f"{ours['memory']['python_allocations_peak_while_classifying_mb']:.1f} MB for "
         f"{ours['memory']['n_sentences']} sentences", "–"],
    ]
    header = ["", "stanceclf (shipped configuration)", fasttext["system"] if fasttext else "fastText"]
    lines += _table(header, rows)
    artifact = data["shipped"]["artifact"]
    lines += ["", f"The shipped artifact `{artifact['artifact']}` is {_bytes(artifact['artifact_bytes'])}; the row above "
              "is a fresh training of the current default."]
    if fasttext and fasttext["params"].get("wordNgrams", 1) > 1:
        lines += [f"fastText's artifact holds its hashed n-gram table: with word bigrams the default bucket of 2,000,000 "
                  f"rows of {fasttext['params'].get('dim', 100)} floats makes the file {_bytes(fasttext['artifact_bytes'])}, "
                  "whatever the size of the training data."]
    return lines + [""]


def _speed(data: dict) -> list[str]:
    speed = data["cost"]["throughput"]
    fasttext = data["cost"]["fasttext"]
    if fasttext:
        timed = (f"fastText: `predict(lines, k=1)` of the {fasttext['system']} model trained on the shipped material, "
                 "on text already tokenised the same way as for training (predict only), and the same including that "
                 "tokenisation (end to end).")
    else:
        timed = f"fastText: not measured, {data['fasttext']['note']}."
    lines = ["## Prediction throughput", "",
             f"Sentences per second on one core, median of {speed['repetitions']} passes over the same distinct "
             f"sentences of the corpus ({speed['n_sentences']['en']} English, {speed['n_sentences']['zh']} Chinese), "
             "systems interleaved within each pass. stanceclf: `load_model().predict(sentences)` with its functools "
             f"caches cleared before every pass (first pass and a warm repeat also shown). {timed} "
             "jieba: `Tokenizer().lcut(sentence)` on the raw sentences, its default dictionary "
             "(rjieba likewise, when installed).", ""]
    names = {"stanceclf": "stanceclf (shipped model)", "stanceclf_warm": "stanceclf, warm repeat",
             "fasttext_predict_only": "fastText, predict only", "fasttext_end_to_end": "fastText, end to end",
             "jieba_hmm_off": "raw jieba, HMM off (as stanceclf)", "jieba_default": "raw jieba, default (HMM on)",
             "rjieba_hmm_off": "raw rjieba (jieba-rs), HMM off"}
    for lang, title in (("en", "English"), ("zh", "Chinese")):
        block = speed["languages"][lang]
        rows = []
        for key, label in names.items():
            if key in block["sentences_per_second"]:
                r = block["sentences_per_second"][key]
                rows.append([label, f"{r['median']:,.0f}",
                             f"{r['min']:,.0f} – {r['max']:,.0f}" if "min" in r else "–",
                             f"{r['first']:,.0f}" if "first" in r else "–"])
        lines += [f"**{title}**", ""] + _table(["system", "median sentences/s", "range", "first pass"], rows) + [""]
        if block["ratios"]:
            lines += ["Ratios (stanceclf median / other median): " +
                      "; ".join(f"{k.replace('stanceclf / ', 'vs ')} **{v:.2f}**" for k, v in block["ratios"].items()), ""]
    return lines


def _errors(data: dict) -> list[str]:
    errors = data["error_analysis"]
    shipped = _shipped(data)
    lines = ["## Error analysis (shipped configuration)", "",
             f"All {len(errors)} misclassified sentences of the {shipped['pooled']['n']} scored, each explained by the "
             "fold model that never saw its document (`model.explain`): the n-grams that pushed most toward the "
             "predicted label, and toward the true one.", ""]
    pairs: dict[tuple[str, str], int] = {}
    for row in errors:
        pairs[(row["true"], row["predicted"])] = pairs.get((row["true"], row["predicted"]), 0) + 1
    lines += _table(["true", "predicted", "count"], [[t, p, n] for (t, p), n in sorted(pairs.items(), key=lambda x: -x[1])])
    lines += ["", "<details><summary>Every misclassified sentence</summary>", ""]
    rows = []
    for row in errors:
        text = row["text"] if len(row["text"]) <= 180 else row["text"][:177] + "…"
        rows.append([row["doc"][:3], row["lang"], text, _short(row["true"]), f"{_short(row['predicted'])} ({row['score']:.2f})",
                     ", ".join(f"{name}" for name, _ in row["ngrams_predicted"][:5]) or "–",
                     ", ".join(f"{name}" for name, _ in row["ngrams_true"][:3]) or "–"])
    lines += _table(["doc", "lang", "sentence", "true", "predicted (p)", "n-grams toward predicted", "toward true"], rows)
    return lines + ["", "</details>", ""]


def _load(values) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def _notes(data: dict) -> list[str]:
    lines = ["## Notes", ""]
    artifact = data["shipped"]["artifact"]
    if not (artifact["matches_default_params"] and artifact["matches_default_ingredients"]):
        lines.append(f"- The shipped artifact `{artifact['artifact']}` was trained with params {artifact['params']} on "
                     f"{artifact['ingredients']}, not the current default (`DEFAULT_PARAMS` {data['shipped']['params']}, "
                     f"which with StanceClassifier's defaults is {data['shipped']['effective_params']}) on "
                     f"{data['shipped']['ingredients']}: quality rows describe the current default, speed rows the "
                     "shipped artifact. Retrain the shipped model and rerun.")
    else:
        lines.append("- The shipped artifact was trained with the current `DEFAULT_PARAMS` and `DEFAULT_INGREDIENTS`, so "
                     "its quality rows and its speed rows describe the same model.")
    lines.append("- The concept lexicon and the keyword rules are fixed files, not learned per fold. The lexicon was "
                 "written from the annotation guide and general knowledge of the domain without reading the seed "
                 "documents, and the rules only map each lexicon concept to the label it names; still, labels and "
                 "concepts come from the same guide, which favours both rows.")
    if data["fasttext"]["installed"]:
        lines.append("- fastText probabilities come from its single-line predict: with numpy 2, fasttext-wheel "
                     "0.9.2's list `predict(..., k=-1)` repeats the top probability for every label; the throughput "
                     "measurement uses the list call with `k=1`, whose output is right.")
    load = data["environment"].get("load_average") or {}
    if load.get("start") is not None:
        lines.append("- System load average (1, 5, 15 min) at the start of the run "
                     f"{_load(load['start'])}, before the cost and speed phase {_load(load['before_cost_phase'])}, at "
                     f"the end {_load(load['end'])}. The run itself adds up to its number of workers during the quality "
                     "phase and about 1 during the cost and speed phase; more than that means other processes shared "
                     "the machine, and speed figures are then lower than on an idle one.")
    lines.append(f"- Timing of this run: quality phase {data['timing']['quality_seconds']:.0f} s, cost and speed "
                 f"{data['timing']['cost_seconds']:.0f} s, total {data['timing']['total_seconds']:.0f} s.")
    return lines + [""]
