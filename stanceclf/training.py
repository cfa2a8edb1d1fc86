"""Training a model from the seed corpus, with its cross-validated metrics for the card."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable

from .corpus import INGREDIENTS, build_training_set, examples_sha256
from .evaluation import leave_one_document_out
from .model import StanceClassifier

__all__ = ["DEFAULT_PARAMS", "DEFAULT_INGREDIENTS", "SEEDS_ONLY_INGREDIENTS", "train_model"]

# Chosen by leave-one-document-out macro-F1 (benchmarks/model_selection.md); the
# estimator defaults are set to the winner, so a plain StanceClassifier() is it.
DEFAULT_PARAMS: dict = {}  # the StanceClassifier defaults are the shipped configuration
DEFAULT_INGREDIENTS: tuple[str, ...] = INGREDIENTS
SEEDS_ONLY_INGREDIENTS: tuple[str, ...] = ("seeds",)


def train_model(
    ingredients: Iterable[str] = DEFAULT_INGREDIENTS,
    *,
    params: dict | None = None,
    cross_validate: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[StanceClassifier, dict]:
    """Train a :class:`StanceClassifier` on the seed corpus and describe it.

    Parameters
    ----------
    ingredients : iterable of str
        Training material, see :func:`stanceclf.corpus.build_training_set`.
    params : dict, optional
        Estimator parameters; defaults to :data:`DEFAULT_PARAMS`.
    cross_validate : bool, default=True
        Also measure leave-one-document-out quality for the model card.
    progress : callable, optional
        Called with a short message at each step.

    Returns
    -------
    model : StanceClassifier
        Fitted on every non-``skip`` example of the ingredients.
    card : dict
        Model-card fields: training data (ingredients, counts, sha256),
        metrics, training time.

    Examples
    --------
    >>> model, card = train_model(["seeds"], cross_validate=False)
    >>> card["training_data"]["ingredients"]
    ['seeds']
    """
    ingredients = list(ingredients)
    settings = {**DEFAULT_PARAMS, **(params or {})}
    examples = build_training_set(ingredients)
    if progress is not None:
        progress(f"training on {len(examples)} sentences from {', '.join(ingredients)}")
    started = time.perf_counter()
    model = StanceClassifier(**settings).fit([e.text for e in examples], [e.label for e in examples])
    seconds = time.perf_counter() - started
    card: dict = {
        "training_data": {
            "ingredients": ingredients,
            "n_sentences": len(examples),
            "per_label": dict(sorted(Counter(e.label for e in examples).items())),
            "per_source": dict(sorted(Counter(e.source for e in examples).items())),
            "sha256": examples_sha256(examples),
        },
        "training_seconds": round(seconds, 3),
    }
    if cross_validate:
        result = leave_one_document_out(lambda: StanceClassifier(**settings), ingredients, progress=progress)
        card["metrics"] = {
            "protocol": "leave-one-document-out over the seed documents (held-out document's translations left out too; skip sentences not scored)",
            "pooled": _headline(result.report()),
            "per_language": {lang: _headline(result.report(lang=lang)) for lang in ("en", "zh")},
            "per_document": {doc: _headline(result.report(doc=doc)) for doc in sorted({e.doc for e in result.examples})},
        }
    return model, card


def _headline(report: dict) -> dict:
    keys = ("n", "macro_f1", "accuracy", "brier", "ece", "per_label", "confusion", "labels")
    return {k: report[k] for k in keys if k in report}
