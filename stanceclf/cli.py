"""The ``stanceclf`` command line.

Errors print one line on stderr and exit with status 2 (1 for a run that
failed midway); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

__all__ = ["main"]


class UsageError(Exception):
    """A problem with what the user asked for: exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        raise UsageError(f"{self.prog}: {message}")


def _progress(message: str) -> None:
    print(f"stanceclf: {message}", file=sys.stderr, flush=True)


_BLOCK_BYTES = 1 << 20


def _open_input(name: str):
    if name == "-":
        return sys.stdin.buffer
    path = Path(name)
    if path.is_dir():
        raise UsageError(f"{name}: is a directory")
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except PermissionError:
        raise UsageError(f"{name}: permission denied") from None


def _read_blocks(name: str, encoding: str):
    """Yield the text of an input in blocks of about 1 MB that end at a line break.

    Reading in blocks keeps memory bounded on inputs of any size; a document
    smaller than one block is read whole, so it is cleaned exactly as
    ``clean_text`` would clean it.
    """
    import codecs

    try:
        # utf-8-sig: a byte-order mark some editors write is not text.
        codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    except LookupError:
        raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
    handle = _open_input(name)
    consumed = 0
    pending = ""
    try:
        while True:
            chunk = handle.read(_BLOCK_BYTES)
            try:
                pending += decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                raise UsageError(
                    f"{name}: not {encoding} text (invalid byte at offset {consumed + error.start}); "
                    "try --encoding"
                ) from None
            consumed += len(chunk)
            if not chunk:
                break
            cut = pending.rfind("\n")
            if cut >= 0 and len(pending) >= _BLOCK_BYTES:
                yield pending[: cut + 1]
                pending = pending[cut + 1 :]
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    if pending:
        yield pending


def _load(args):
    from .persistence import load_model

    return load_model(args.model)


def _cleaned_blocks(name: str, encoding: str, starts: list[int]):
    """Clean each block; record in ``starts`` where it begins in the whole cleaned text."""
    from .cleaning import clean_text

    position = 0
    for block in _read_blocks(name, encoding):
        cleaned = clean_text(block)
        if cleaned:
            starts.append(position)
            position += len(cleaned) + 1  # blocks join with one "\n", as clean_text would
            yield cleaned


def _cmd_classify(args) -> int:
    model = _load(args)
    out = sys.stdout
    writer = None
    if args.format in ("csv", "tsv"):
        writer = csv.writer(out, delimiter="," if args.format == "csv" else "\t", lineterminator="\n")
        writer.writerow(["file", "index", "start", "end", "lang", "label", "score", "text"])
    for name in args.files:
        if args.format == "text" and len(args.files) > 1:
            print(f"==> {name} <==", file=out)
        starts: list[int] = []
        index = 0
        for block, predictions in enumerate(model.classify_stream(_cleaned_blocks(name, args.encoding, starts))):
            shift = starts[block]
            for p in predictions:
                start, end = p.start + shift, p.end + shift
                if args.format == "jsonl":
                    record = {"file": name, "index": index, **p.to_dict(), "start": start, "end": end}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                elif writer is not None:
                    writer.writerow([name, index, start, end, p.lang, p.label, f"{p.score:.4f}", p.text])
                else:
                    out.write(f"{p.label:<21} {p.score:.2f}  {p.text}\n")
                index += 1
    out.flush()
    return 0


def _cmd_explain(args) -> int:
    model = _load(args)
    explanation = model.explain(args.text, top=args.top)
    proba = dict(zip((str(c) for c in model.classes_), model.predict_proba([args.text])[0]))
    if args.format == "json":
        print(json.dumps({"text": args.text, "label": explanation.label, "probabilities": proba,
                          "contributions": explanation.contributions}, ensure_ascii=False))
        return 0
    print(f"{explanation.label}  ({proba[explanation.label]:.2f})")
    for label, features in explanation.contributions.items():
        shown = ", ".join(f"{name} {weight:+.3f}" for name, weight in features) or "-"
        print(f"  {label:<21} p={proba[label]:.2f}  {shown}")
    return 0


def _cmd_train(args) -> int:
    from .persistence import save_model
    from .training import DEFAULT_INGREDIENTS, SEEDS_ONLY_INGREDIENTS, train_model

    if not args.seeds:
        raise UsageError("stanceclf train: say what to train on: --seeds")
    ingredients = SEEDS_ONLY_INGREDIENTS if args.seeds_only else DEFAULT_INGREDIENTS
    model, card = train_model(ingredients, cross_validate=not args.no_cv, progress=_progress)
    card["command"] = "stanceclf " + " ".join(sys.argv[1:] if args.argv is None else args.argv)
    path = save_model(model, args.out, card=card)
    _progress(f"wrote {path} and {path.with_suffix('.json')}")
    if "metrics" in card:
        pooled = card["metrics"]["pooled"]
        _progress(f"leave-one-document-out macro-F1 {pooled['macro_f1']:.3f}, accuracy {pooled['accuracy']:.3f}")
    return 0


def _cmd_evaluate(args) -> int:
    from .evaluation import quality_report
    from .labels import read_labels

    if args.data is None:
        raise UsageError("stanceclf evaluate: --data FILE is required")
    import numpy as np

    from .corpus import SKIP

    records = read_labels(args.data)
    skipped = sum(r.label == SKIP for r in records)
    # "skip" marks sentences outside the label set, as in the seed annotations: not scored.
    records = [r for r in records if r.label != SKIP]
    if not records:
        raise UsageError(f"{args.data}: no labelled records to evaluate ({skipped} marked {SKIP!r})")
    model = _load(args)
    texts = [r.text for r in records]
    proba = model.predict_proba(texts)
    classes = [str(c) for c in model.classes_]
    predicted = [classes[k] for k in proba.argmax(axis=1)]
    # Labels the model cannot predict still count, as labels it always misses.
    unknown = sorted({r.label for r in records} - set(classes))
    proba = np.hstack([proba, np.zeros((len(records), len(unknown)))])
    report = quality_report([r.label for r in records], predicted, proba, classes + unknown)
    report["skipped"] = skipped
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"n={report['n']}  macro-F1 {report['macro_f1']:.3f}  accuracy {report['accuracy']:.3f}"
          + (f"  Brier {report['brier']:.3f}  ECE {report['ece']:.3f}" if "brier" in report else "")
          + (f"  ({skipped} {SKIP!r} records left out)" if skipped else ""))
    if unknown:
        print(f"labels the model cannot predict: {', '.join(unknown)}")
    print(f"{'label':<21} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for label, m in report["per_label"].items():
        print(f"{label:<21} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8d}")
    print("confusion (rows true, columns predicted): " + ", ".join(report["labels"]))
    for label, row in zip(report["labels"], report["confusion"]):
        print(f"{label:<21} " + " ".join(f"{v:>5d}" for v in row))
    return 0


def _version_text() -> str:
    from .persistence import library_versions

    return "\n".join(f"{name} {version}" for name, version in library_versions().items())


class _VersionAction(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        print(_version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stanceclf", description="Sentence stance of Chinese and English crypto-policy news.")
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show versions of stanceclf and its dependencies")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    model_help = "a model artifact, or 'default' / 'seeds-only' (default: the shipped model)"
    classify = commands.add_parser("classify", help="label every sentence of documents")
    classify.add_argument("files", nargs="+", metavar="FILE", help="text, Markdown or HTML files; - for stdin")
    classify.add_argument("--format", choices=("text", "jsonl", "csv", "tsv"), default="text")
    classify.add_argument("--model", default=None, help=model_help)
    classify.add_argument("--encoding", default="utf-8", help="the input files' text encoding (default: utf-8)")
    classify.set_defaults(run=_cmd_classify)

    explain = commands.add_parser("explain", help="show the n-grams behind a sentence's label")
    explain.add_argument("text", metavar="TEXT")
    explain.add_argument("--top", type=int, default=5)
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--model", default=None, help=model_help)
    explain.set_defaults(run=_cmd_explain)

    train = commands.add_parser("train", help="train a model and write it with its model card")
    train.add_argument("--seeds", action="store_true", help="train on the shipped seed corpus")
    train.add_argument("--seeds-only", action="store_true", help="use the seed documents alone (no translations or supplementary corpus)")
    train.add_argument("--out", required=True, help="the artifact to write (.joblib); the card goes beside it")
    train.add_argument("--no-cv", action="store_true", help="skip the leave-one-document-out measurement")
    train.set_defaults(run=_cmd_train, argv=None)

    evaluate = commands.add_parser("evaluate", help="measure a model on a labelled file")
    evaluate.add_argument("--data", default=None,
                          help="JSONL with text and label, or CSV/TSV with text and label columns; label 'skip' is left out")
    evaluate.add_argument("--model", default=None, help=model_help)
    evaluate.add_argument("--format", choices=("text", "json"), default="text")
    evaluate.set_defaults(run=_cmd_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        if getattr(args, "argv", 0) is None:
            args.argv = argv
        return args.run(args)
    except UsageError as error:
        if debug:
            raise
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stanceclf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head -1`): stop quietly.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (FileNotFoundError, ValueError, TypeError, OSError) as error:
        if debug:
            raise
        print(f"stanceclf: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
