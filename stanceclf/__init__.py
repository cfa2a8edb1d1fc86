"""stanceclf: sentence-level stance of Chinese and English crypto-policy news.

Each sentence is labelled ``regulatory_crackdown``, ``industry_support`` or
``market_commentary``.

Examples
--------
>>> import stanceclf
>>> model = stanceclf.load_model()
>>> model.predict(["央行宣布全面禁止虚拟货币交易", "Bitcoin rose 5% on Monday"]).tolist()
['regulatory_crackdown', 'market_commentary']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "1.0.0"

# Public name -> module. Imported on first use so that ``import stanceclf``
# stays fast: scikit-learn and jieba load only when a model is needed.
_EXPORTS = {
    "clean_text": "cleaning",
    "clean_text_with_offsets": "cleaning",
    "Sentence": "segmentation",
    "segment_sentences": "segmentation",
    "detect_language": "segmentation",
    "normalize_text": "tokenization",
    "tokenize": "tokenization",
    "StanceClassifier": "model",
    "Prediction": "model",
    "Explanation": "model",
    "DocumentSummary": "model",
    "ConceptFeatures": "lexicon",
    "read_lexicon": "lexicon",
    "load_model": "persistence",
    "ModelVersionWarning": "persistence",
    "save_model": "persistence",
    "read_model_card": "persistence",
    "LABELS": "corpus",
    "Example": "corpus",
    "build_training_set": "corpus",
    "quality_report": "evaluation",
    "leave_one_document_out": "evaluation",
    "bootstrap_macro_f1": "evaluation",
    "train_model": "training",
    "KeywordRuleClassifier": "baselines",
    "LabelledText": "labels",
    "LabelledData": "labels",
    "LabelProblem": "labels",
    "LabelProblems": "labels",
    "LabelConflict": "labels",
    "read_labels": "labels",
    "load_labels": "labels",
    "detect_label_format": "labels",
    "train_from_labels": "retraining",
    "load_training_data": "retraining",
    "cross_validate_labels": "retraining",
    "search_settings": "retraining",
    "evaluate_model": "retraining",
    "compare_models": "retraining",
    "UnlabelledSentence": "active",
    "Suggestion": "active",
    "read_unlabelled": "active",
    "suggest": "active",
    "write_suggestions": "active",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stanceclf' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .baselines import KeywordRuleClassifier
    from .cleaning import clean_text, clean_text_with_offsets
    from .corpus import LABELS, Example, build_training_set
    from .evaluation import bootstrap_macro_f1, leave_one_document_out, quality_report
    from .lexicon import ConceptFeatures, read_lexicon
    from .model import DocumentSummary, Explanation, Prediction, StanceClassifier
    from .persistence import ModelVersionWarning, load_model, read_model_card, save_model
    from .segmentation import Sentence, detect_language, segment_sentences
    from .tokenization import normalize_text, tokenize
    from .training import train_model
    from .active import Suggestion, UnlabelledSentence, read_unlabelled, suggest, write_suggestions
    from .labels import (
        LabelConflict, LabelledData, LabelledText, LabelProblem, LabelProblems, detect_label_format, load_labels, read_labels,
    )
    from .retraining import (
        compare_models, cross_validate_labels, evaluate_model, load_training_data, search_settings, train_from_labels,
    )
