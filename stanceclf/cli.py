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


class _RunFailed(Exception):
    """An error after some results were written: exit status 1, the output is incomplete."""


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
                piece = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                raise UsageError(
                    f"{name}: not {encoding} text (invalid byte at offset {consumed + error.start}); "
                    "try --encoding"
                ) from None
            nul = piece.find("\x00")
            if nul >= 0:
                # Text never holds NUL; binary files and UTF-16 read as UTF-8 do.
                where = (f"byte at offset {consumed + chunk.find(bytes(1))}" if codec.startswith("utf-8")
                         else f"character {nul} of the block after byte {consumed}")
                raise UsageError(f"{name}: not {encoding} text (NUL {where}: a binary file?); try --encoding")
            pending += piece
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


def _format_predictions(predictions, shift: int, fmt: str) -> list[str]:
    """One output line per prediction, without its file and index (see :func:`_write_lines`).

    Offsets are shifted into the whole cleaned input. Worker processes of
    ``--jobs`` run this too, so that formatting is shared out with the work.
    """
    import io

    if fmt == "text":
        return [f"{p.label:<21} {p.score:.2f}  {p.text}\n" for p in predictions]
    if fmt == "jsonl":
        return [
            json.dumps({**p.to_dict(), "start": p.start + shift, "end": p.end + shift}, ensure_ascii=False) + "\n"
            for p in predictions
        ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    lines = []
    for p in predictions:
        writer.writerow([p.start + shift, p.end + shift, p.lang, p.label, f"{p.score:.4f}", p.text])
        lines.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    return lines


def _line_prefix(name: str, fmt: str) -> str:
    """What comes before the index on every line of a file's output."""
    if fmt == "jsonl":
        return '{"file": ' + json.dumps(name, ensure_ascii=False) + ', "index": '
    if fmt in ("csv", "tsv"):
        import io

        delimiter = "," if fmt == "csv" else "\t"
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerow([name, ""])
        return buffer.getvalue()[: -len(delimiter + "\n")] + delimiter
    return ""


def _write_lines(out, lines: list[str], prefix: str, fmt: str, index: int) -> int:
    """Write formatted lines numbered from ``index``; return the next index."""
    if fmt == "text":
        out.writelines(lines)
    elif fmt == "jsonl":
        # json.dumps of {"file", "index", **rest} is exactly prefix + index + ", " + rest without its "{".
        out.writelines(f"{prefix}{index + k}, {line[1:]}" for k, line in enumerate(lines))
    else:
        delimiter = prefix[-1]
        out.writelines(f"{prefix}{index + k}{delimiter}{line}" for k, line in enumerate(lines))
    return index + len(lines)


def _cmd_classify(args) -> int:
    # Every input is opened before anything is written, so that a missing or
    # unreadable file is a usage error with no partial output.
    for name in args.files:
        if name != "-":
            _open_input(name).close()
    model = _load(args)
    out = sys.stdout
    if args.format in ("csv", "tsv"):
        csv.writer(out, delimiter="," if args.format == "csv" else "\t", lineterminator="\n").writerow(
            ["file", "index", "start", "end", "lang", "label", "score", "text"]
        )
    pool = None
    if args.jobs > 1:
        from ._parallel import BlockPool

        pool = BlockPool(model, args.jobs, args.format)
    index = written = 0
    try:
        for name in args.files:
            if args.format == "text" and len(args.files) > 1:
                print(f"==> {name} <==", file=out)
            prefix = _line_prefix(name, args.format)
            starts: list[int] = []
            written += index
            index = 0
            blocks = _cleaned_blocks(name, args.encoding, starts)
            if pool is not None:
                for lines in pool.map_blocks(blocks, starts):
                    index = _write_lines(out, lines, prefix, args.format, index)
                continue
            for block, predictions in enumerate(model.classify_stream(blocks)):
                lines = _format_predictions(predictions, starts[block], args.format)
                index = _write_lines(out, lines, prefix, args.format, index)
    except BrokenPipeError:
        raise
    except (UsageError, ValueError, OSError) as error:
        if not written + index:
            raise
        raise _RunFailed(f"{error} (after {written + index} sentences were written; the output is incomplete)") from error
    finally:
        if pool is not None:
            pool.close()
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

    from ._cli_retraining import check_train_options, run_train

    check_train_options(args)
    if args.data is not None:
        return run_train(args)
    if not args.seeds:
        raise UsageError("stanceclf train: say what to train on: --seeds, or --data FILE for your own labels")
    ingredients = SEEDS_ONLY_INGREDIENTS if args.seeds_only else DEFAULT_INGREDIENTS
    params = {"random_state": args.seed} if args.seed is not None else None
    model, card = train_model(ingredients, params=params, cross_validate=not args.no_cv, progress=_progress)
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


def _positive_int(option: str):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            raise argparse.ArgumentTypeError(f"{option} must be an integer >= 1, got {value!r}")
        return number

    return parse


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
    classify.add_argument("--jobs", type=_positive_int("--jobs"), default=1, metavar="N",
                          help="worker processes for inputs of several MB; output order is kept (default: 1)")
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
    train.add_argument("--no-cv", action="store_true",
                       help="skip the cross-validated measurement (leave-one-document-out with --seeds)")
    from ._cli_retraining import add_commands, add_train_options

    add_train_options(train)
    train.set_defaults(run=_cmd_train, argv=None)

    evaluate = commands.add_parser("evaluate", help="measure a model on a labelled file")
    evaluate.add_argument("--data", default=None,
                          help="JSONL with text and label, or CSV/TSV with text and label columns; label 'skip' is left out")
    evaluate.add_argument("--model", default=None, help=model_help)
    evaluate.add_argument("--format", choices=("text", "json"), default="text")
    evaluate.set_defaults(run=_cmd_evaluate)
    add_commands(commands, model_help)
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
        status = args.run(args)
        # Flushed here, not at exit, so that a closed pipe is handled below.
        sys.stdout.flush()
        return status
    except UsageError as error:
        if debug:
            raise
        print(str(error), file=sys.stderr)
        return 2
    except _RunFailed as error:
        if debug:
            raise
        print(f"stanceclf: {error}", file=sys.stderr)
        return 1
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
    except Exception as error:  # a failure nobody foresaw: still one line, the traceback with --debug
        if debug:
            raise
        print(f"stanceclf: {type(error).__name__}: {error} (run with --debug for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
