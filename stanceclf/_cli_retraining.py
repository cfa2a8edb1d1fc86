"""The command line of retraining: ``train --data``, ``compare`` and ``suggest``.

Problems with the input data are all printed, one per line, and the command
exits with status 2 having written nothing.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from .labels import LABEL_FORMATS, ON_CONFLICT, LabelProblems


def _usage_error(message: str) -> Exception:
    from .cli import UsageError

    return UsageError(message)


class _Progress:
    """Progress on stderr: counting lines (``[i/n] ...``) rewrite one line on a terminal."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty()
        self.pending = False

    def __call__(self, message: str) -> None:
        if self.live and message.startswith("["):
            self.stream.write(f"\r\033[Kstanceclf: {message}")
            self.pending = True
        else:
            self.close()
            self.stream.write(f"stanceclf: {message}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.pending:
            self.stream.write("\n")
            self.pending = False


def _report_problems(error: LabelProblems, what: str) -> int:
    print(f"stanceclf: {error}", file=sys.stderr)
    print(f"stanceclf: {what}", file=sys.stderr)
    return 2


def _similarity(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError(f"--similarity must be a number in (0, 1], got {value!r}")
    return number


# -- train --data ------------------------------------------------------------------------------


_DATA_ONLY = ("with_seeds", "search", "format", "on_conflict", "folds", "jobs")


def add_train_options(train: argparse.ArgumentParser) -> None:
    """Add the options of training on your own labelled files."""
    from .cli import _positive_int
    train.add_argument("--data", nargs="+", metavar="FILE", default=None,
                       help="your labelled files: CSV/TSV, JSONL, doccano, Label Studio or Prodigy exports")
    train.add_argument("--with-seeds", action="store_true", help="add the shipped seed corpus to --data (same labels needed)")
    train.add_argument("--search", action="store_true",
                       help="choose model family, regularisation and n-grams by cross-validation on --data")
    train.add_argument("--seed", type=int, default=None, metavar="N", help="random seed of the folds and the model (default: 0)")
    train.add_argument("--format", choices=LABEL_FORMATS, default=None, help="format of every --data file (default: detected)")
    train.add_argument("--on-conflict", choices=ON_CONFLICT, default=None,
                       help="a text given different labels: report it (error, the default), keep the last label, or drop the text")
    train.add_argument("--folds", type=_positive_int("--folds"), default=None, metavar="K", help="cross-validation folds on --data (default: 5)")
    train.add_argument("--jobs", type=_positive_int("--jobs"), default=None, metavar="N",
                       help="cross-validation folds fitted at once, in worker processes (default: 1)")


def check_train_options(args) -> None:
    """Refuse option combinations that do not go together, before any work."""
    if args.data is None:
        given = [f"--{name.replace('_', '-')}" for name in _DATA_ONLY if getattr(args, name) not in (None, False)]
        if given:
            raise _usage_error(f"stanceclf train: {', '.join(given)} need{'s' if len(given) == 1 else ''} --data FILE")
        return
    if args.seeds or args.seeds_only:
        raise _usage_error("stanceclf train: --seeds trains on the seed corpus alone; to add it to --data use --with-seeds")
    if args.search and args.no_cv:
        raise _usage_error("stanceclf train: --search chooses by cross-validation; drop --no-cv")
    if args.folds is not None and args.no_cv:
        raise _usage_error("stanceclf train: --folds sets cross-validation, which --no-cv skips")
    if not args.out.endswith(".joblib"):
        raise _usage_error(f"stanceclf train: --out must end in '.joblib', got {args.out!r}")


def run_train(args) -> int:
    """``stanceclf train --data FILE...``: validate, (search,) cross-validate, train, save."""
    from .persistence import card_path, save_model
    from .retraining import N_FOLDS, train_from_labels

    progress = _Progress()
    try:
        model, card = train_from_labels(
            args.data,
            format=args.format,
            on_conflict=args.on_conflict or "error",
            with_seeds=args.with_seeds,
            search=args.search,
            cross_validate=not args.no_cv,
            n_folds=args.folds or N_FOLDS,
            random_state=args.seed if args.seed is not None else 0,
            progress=progress,
            n_jobs=args.jobs or 1,
        )
    except LabelProblems as error:
        progress.close()
        return _report_problems(error, "nothing was trained or written")
    argv = sys.argv[1:] if args.argv is None else args.argv
    card["command"] = "stanceclf " + shlex.join(argv)
    path = save_model(model, args.out, card=card)
    progress(f"wrote {path} and {card_path(path)}")
    if "metrics" in card:
        pooled = card["metrics"]["pooled"]
        protocol = card["metrics"]["protocol"]
        grouping = "grouped by doc" if protocol["grouped_by"] else "stratified"
        progress(f"{protocol['n_folds']}-fold cross-validation ({grouping}) on your data: "
                 f"macro-F1 {pooled['macro_f1']:.3f}, accuracy {pooled['accuracy']:.3f}")
    return 0


# -- compare ------------------------------------------------------------------------------------


def _read_records(args):
    from .corpus import SKIP
    from .labels import load_labels

    data = load_labels(args.data, format=args.data_format, on_conflict=args.on_conflict)
    # As `evaluate` does: "skip" marks sentences outside the label set, not scored.
    return [r for r in data.records if r.label != SKIP]


def _cmd_compare(args) -> int:
    from .persistence import load_model
    from .retraining import compare_models

    names = args.model
    if len(names) < 2:
        raise _usage_error("stanceclf compare: give two models or more: --model A --model B")
    if len(set(names)) < len(names):
        raise _usage_error("stanceclf compare: the same --model is given twice")
    try:
        records = _read_records(args)
    except LabelProblems as error:
        return _report_problems(error, "nothing was compared")
    if not records:
        raise _usage_error(f"stanceclf compare: {', '.join(args.data)}: no labelled records to compare on")
    models = {name: load_model(name) for name in names}
    result = compare_models(models, records)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False))
        return 0
    _print_comparison(result, names, args.limit)
    return 0


def _print_comparison(result: dict, names: list[str], limit: int | None) -> None:
    reports = result["reports"]
    width = max(12, *(len(n) for n in names))
    print(f"n={result['n']} labelled sentences")
    print(f"{'':<22}" + "".join(f"{name:>{width + 2}}" for name in names))
    for key, title in (("macro_f1", "macro-F1"), ("accuracy", "accuracy"), ("brier", "Brier"), ("ece", "ECE")):
        print(f"{title:<22}" + "".join(f"{reports[name][key]:>{width + 2}.3f}" for name in names))
    print("F1 per label (support):")
    for label in result["labels"]:
        support = reports[names[0]]["per_label"][label]["support"]
        if support == 0:
            continue
        print(f"  {label + f' ({support})':<20}" + "".join(f"{reports[name]['per_label'][label]['f1']:>{width + 2}.3f}" for name in names))
    for name in names:
        if reports[name]["unknown_labels"]:
            print(f"{name} cannot predict: {', '.join(reports[name]['unknown_labels'])}")
    disagreements = result["disagreements"]
    print(f"\nthe models disagree on {len(disagreements)} of {result['n']} sentences"
          + (f" (first {limit} shown; --limit 0 shows all)" if limit and len(disagreements) > limit else "")
          + (":" if disagreements else "."))
    for row in disagreements[: limit or None]:
        predictions = "  ".join(
            f"{name}={p['label']} ({p['score']:.2f}){' ✓' if p['label'] == row['label'] else ''}"
            for name, p in row["predictions"].items()
        )
        print(f"{row['source']}  gold={row['label']}  {predictions}")
        print(f"    {row['text']}")


# -- suggest ------------------------------------------------------------------------------------


def _cmd_suggest(args) -> int:
    from .active import read_unlabelled, suggest, write_suggestions
    from .labels import load_labels
    from .persistence import load_model

    problems = []
    sentences = []
    for name in args.data:
        try:
            sentences.extend(read_unlabelled(name))
        except LabelProblems as error:
            problems.extend(error.problems)
    exclude: list[str] = []
    if args.exclude:
        try:
            exclude = [r.text for r in load_labels(args.exclude, on_conflict="last").records]
        except LabelProblems as error:
            problems.extend(error.problems)
    if problems:
        return _report_problems(LabelProblems(problems), "nothing was written")
    model = load_model(args.model)
    picks = suggest(model, sentences, n=args.n, strategy=args.strategy, exclude=exclude, similarity=args.similarity)
    if args.out is None:
        write_suggestions(picks, sys.stdout, args.format)
        sys.stdout.flush()
    else:
        write_suggestions(picks, args.out, args.format)
    where = args.out or "standard output"
    print(f"stanceclf: {len(picks)} of {len(sentences)} sentences suggested ({args.strategy}), written to {where}",
          file=sys.stderr)
    return 0


def add_commands(commands, model_help: str) -> None:
    """Add the ``compare`` and ``suggest`` commands."""
    compare = commands.add_parser("compare", help="score models side by side on a labelled file; list their disagreements")
    compare.add_argument("--model", action="append", required=True, help=model_help + "; give it twice or more")
    compare.add_argument("--data", nargs="+", required=True, metavar="FILE", help="labelled files (any format read_labels reads)")
    compare.add_argument("--data-format", choices=LABEL_FORMATS, default=None, help="format of the --data files (default: detected)")
    compare.add_argument("--on-conflict", choices=ON_CONFLICT, default="error")
    compare.add_argument("--format", choices=("text", "json"), default="text")
    compare.add_argument("--limit", type=int, default=0, metavar="N", help="show at most N disagreements (default: 0, all)")
    compare.set_defaults(run=_cmd_compare)

    from .active import STRATEGIES, SUGGESTION_FORMATS
    from .cli import _positive_int

    suggest = commands.add_parser("suggest", help="pick the unlabelled sentences the model is least sure of, to label next")
    suggest.add_argument("--model", default=None, help=model_help)
    suggest.add_argument("--data", nargs="+", required=True, metavar="FILE",
                         help="unlabelled text: documents, one sentence per line, or JSONL with 'text'")
    suggest.add_argument("--n", type=_positive_int("--n"), default=50, help="how many sentences (default: 50)")
    suggest.add_argument("--strategy", choices=STRATEGIES, default="margin", help="uncertainty measure (default: margin)")
    suggest.add_argument("--format", choices=SUGGESTION_FORMATS, default="csv",
                         help="csv to fill in, or a Label Studio (JSON) / doccano (JSONL) import (default: csv)")
    suggest.add_argument("--out", default=None, metavar="FILE", help="where to write (default: standard output)")
    suggest.add_argument("--exclude", nargs="+", default=None, metavar="FILE",
                         help="labelled files whose sentences (and their near-duplicates) are not suggested again")
    suggest.add_argument("--similarity", type=_similarity, default=0.85,
                         help="character 3-gram Jaccard from which sentences are near-duplicates (default: 0.85)")
    suggest.set_defaults(run=_cmd_suggest)
