"""Worker processes for ``stanceclf classify --jobs N``.

The parent reads and cleans the input (cleaning must see whole 1 MB blocks to
give the offsets of ``--jobs 1``), cuts each cleaned block at line breaks into
pieces of about 256 KB, and hands them to the workers. A worker segments its
piece (segmentation never crosses a line), labels the sentences and formats
the output lines; the parent numbers and writes them in input order.

Each worker holds the model from its start (inherited when processes fork,
sent once otherwise), never per piece; at most a few pieces per worker are in
flight, so memory stays bounded on inputs of any size.
"""

from __future__ import annotations

import collections
import multiprocessing
from collections.abc import Iterable, Iterator

__all__ = ["BlockPool"]

# About 1,800 sentences of news, near classify_stream's batches of 2,048: each
# batch costs a few milliseconds on top of its sentences, so smaller pieces
# spent more of the workers' time on that (64 KB pieces: 9% more CPU).
_PIECE_CHARS = 1 << 18

_model = None
_format = "text"


def _start_worker(model, fmt: str) -> None:
    global _model, _format
    _model, _format = model, fmt


def _label_piece(piece: str, shift: int) -> list[str]:
    from .cli import _format_predictions
    from .segmentation import segment_sentences

    return _format_predictions(_model._predict_sentences(segment_sentences(piece)), shift, _format)


def _pieces(block: str) -> Iterator[tuple[str, int]]:
    """Cut a cleaned block after line breaks into pieces of about ``_PIECE_CHARS``."""
    start = 0
    while start < len(block):
        end = block.find("\n", start + _PIECE_CHARS)
        end = len(block) if end < 0 else end + 1
        yield block[start:end], start
        start = end


class BlockPool:
    """Label cleaned blocks in ``jobs`` processes, results in input order."""

    def __init__(self, model, jobs: int, fmt: str):
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        if context.get_start_method() == "fork":
            # Build jieba's dictionary and the n-gram index once, here: forked
            # workers inherit them instead of each building its own.
            model.predict(["Bitcoin 比特币"])
        self._pool = context.Pool(jobs, initializer=_start_worker, initargs=(model, fmt))
        self._limit = 4 * jobs

    def map_blocks(self, blocks: Iterable[str], starts: list[int]) -> Iterator[list[str]]:
        """Yield the formatted lines of each piece of each block, in order.

        ``starts`` is filled by the ``blocks`` generator: the offset of each
        block in the whole cleaned input.
        """
        pending: collections.deque = collections.deque()
        for number, block in enumerate(blocks):
            for piece, offset in _pieces(block):
                if len(pending) >= self._limit:
                    yield pending.popleft().get()
                pending.append(self._pool.apply_async(_label_piece, (piece, starts[number] + offset)))
        while pending:
            yield pending.popleft().get()

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()
