"""The stance classifier: TF-IDF word and character n-grams, lexicon concepts, a linear model."""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._validation import check_text, check_texts
from .cleaning import clean_text
from .segmentation import segment_sentences

__all__ = ["StanceClassifier", "Prediction", "Explanation", "DocumentSummary", "TextNormalizer"]

_CLASSIFIERS = ("logreg", "svm", "nb", "sgd")
_FEATURES = ("word", "char", "word+char")


@dataclass(frozen=True, slots=True)
class Prediction:
    """The label of one sentence of a document.

    Attributes
    ----------
    text : str
        The sentence as it stands in the cleaned document.
    start, end : int
        Offsets of the sentence in the cleaned document (``clean_text(raw)``).
    lang : {"en", "zh"}
        The sentence's language.
    label : str
        The most probable label.
    score : float
        The probability of ``label``.
    probabilities : dict of str to float
        The probability of every label, in ``classes_`` order.
    """

    text: str
    start: int
    end: int
    lang: str
    label: str
    score: float
    probabilities: dict[str, float]

    def to_dict(self) -> dict:
        """Return the prediction as a plain dict (for JSON output)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "lang": self.lang,
            "label": self.label,
            "score": self.score,
            "probabilities": dict(self.probabilities),
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """The n-grams that pushed one text toward each label.

    Attributes
    ----------
    text : str
        The explained text.
    label : str
        The predicted label.
    contributions : dict of str to list of (str, float)
        Per label, the features with the largest positive contribution
        (TF-IDF value times the label's weight), largest first. Word n-grams are
        named ``word:...``, character n-grams ``char:...``, lexicon concepts
        ``concept:...``.
    """

    text: str
    label: str
    contributions: dict[str, list[tuple[str, float]]]


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """Share of sentences per label and the most confident sentences per label.

    Attributes
    ----------
    n_sentences : int
        Number of sentences in the document.
    shares : dict of str to float
        Fraction of sentences predicted as each label (0 for an empty document).
    top_sentences : dict of str to list of Prediction
        Per label, the sentences predicted as that label, most confident first.
    predictions : list of Prediction
        Every sentence, in document order.
    """

    n_sentences: int
    shares: dict[str, float]
    top_sentences: dict[str, list[Prediction]]
    predictions: list[Prediction] = field(repr=False)


class TextNormalizer(TransformerMixin, BaseEstimator):
    """Map texts to their normalised form once, for all feature extractors.

    Examples
    --------
    >>> TextNormalizer().fit_transform(["Ｂｉｔｃｏｉｎ 漲"])
    ['bitcoin 涨']
    """

    def fit(self, texts, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, texts) -> list[str]:
        from .tokenization import normalize_text

        return [normalize_text(text) for text in texts]


def _check_range(value, name: str) -> tuple[int, int]:
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(v, numbers.Integral) and v >= 1 for v in value)
        or value[0] > value[1]
    ):
        raise ValueError(
            f"The '{name}' parameter of StanceClassifier must be a tuple (min_n, max_n) "
            f"with 1 <= min_n <= max_n. Got {value!r} instead."
        )
    return value


def _check_positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"The '{name}' parameter of StanceClassifier must be a float > 0. Got {value!r} instead.")
    return float(value)


def _check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"The '{name}' parameter of StanceClassifier must be one of {list(choices)}. Got {value!r} instead.")
    return value


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Sentence stance classifier for Chinese and English crypto-policy news.

    A scikit-learn estimator over raw sentences: features are TF-IDF word
    n-grams (jieba for Chinese), character n-grams and, optionally, bilingual
    lexicon concepts; the classifier is a linear model.

    Parameters
    ----------
    classifier : {"logreg", "svm", "nb", "sgd"}, default="logreg"
        Logistic regression, linear SVM with sigmoid calibration, complement
        naive Bayes, or logistic-loss SGD.
    features : {"word", "char", "word+char"}, default="word+char"
        Which TF-IDF n-grams to use.
    word_ngram_range : tuple of int, default=(1, 2)
    char_ngram_range : tuple of int, default=(1, 4)
        Character n-grams are taken inside word boundaries (``char_wb``).
    use_lexicon : bool, default=True
        Add the concept features of :class:`stanceclf.lexicon.ConceptFeatures`.
    lexicon : str or Path, optional
        An extra lexicon file added to the shipped one.
    lexicon_weight : float, default=1.0
        The value of one concept match relative to the unit-length TF-IDF rows.
    C : float, default=10.0
        Inverse regularisation strength of "logreg" and "svm".
    alpha : float, default=0.1
        Smoothing of "nb"; regularisation of "sgd" is ``alpha * 1e-3``.
    class_weight : {"balanced", None}, default="balanced"
    random_state : int, default=0

    Attributes
    ----------
    classes_ : ndarray of str
        The labels, sorted.
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted normaliser, feature union and classifier.
    feature_names_ : ndarray of str
        Feature names (``word:...``, ``char:...``, ``concept:...``), in column order.

    Examples
    --------
    >>> model = StanceClassifier().fit(
    ...     ["The central bank banned trading.", "央行禁止虚拟货币交易。",
    ...      "The city set up a blockchain fund.", "政府设立区块链产业基金。",
    ...      "Bitcoin rose 5% on Monday.", "比特币周一上涨5%。"],
    ...     ["regulatory_crackdown", "regulatory_crackdown", "industry_support",
    ...      "industry_support", "market_commentary", "market_commentary"])
    >>> model.predict(["Bitcoin fell 3% on Friday."]).tolist()
    ['market_commentary']
    """

    def __init__(
        self,
        *,
        classifier: str = "logreg",
        features: str = "word+char",
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (1, 4),
        use_lexicon: bool = True,
        lexicon: str | Path | None = None,
        lexicon_weight: float = 1.0,
        C: float = 10.0,
        alpha: float = 0.1,
        class_weight: str | None = "balanced",
        random_state: int = 0,
    ):
        self.classifier = classifier
        self.features = features
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.use_lexicon = use_lexicon
        self.lexicon = lexicon
        self.lexicon_weight = lexicon_weight
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight
        self.random_state = random_state

    # -- building -----------------------------------------------------------------

    def _build_pipeline(self):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion, Pipeline

        from .lexicon import ConceptFeatures
        from .tokenization import tokenize

        _check_choice(self.classifier, "classifier", _CLASSIFIERS)
        _check_choice(self.features, "features", _FEATURES)
        _check_choice(self.class_weight, "class_weight", ("balanced", None))
        if not isinstance(self.use_lexicon, bool):
            raise ValueError(f"The 'use_lexicon' parameter of StanceClassifier must be a bool. Got {self.use_lexicon!r} instead.")
        parts = []
        if self.features in ("word", "word+char"):
            parts.append(
                (
                    "word",
                    TfidfVectorizer(
                        tokenizer=tokenize,
                        token_pattern=None,
                        lowercase=False,
                        ngram_range=_check_range(self.word_ngram_range, "word_ngram_range"),
                        sublinear_tf=True,
                        dtype=np.float32,
                    ),
                )
            )
        if self.features in ("char", "word+char"):
            parts.append(
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        lowercase=False,
                        ngram_range=_check_range(self.char_ngram_range, "char_ngram_range"),
                        sublinear_tf=True,
                        dtype=np.float32,
                    ),
                )
            )
        if self.use_lexicon:
            weight = _check_positive(self.lexicon_weight, "lexicon_weight")
            parts.append(("concept", ConceptFeatures(lexicon=self.lexicon, scale=weight)))
        return Pipeline(
            [("normalize", TextNormalizer()), ("features", FeatureUnion(parts)), ("clf", self._build_classifier())]
        )

    def _build_classifier(self):
        if self.classifier in ("logreg", "svm"):
            C = _check_positive(self.C, "C")
        else:
            alpha = _check_positive(self.alpha, "alpha")
        if self.classifier == "logreg":
            from sklearn.linear_model import LogisticRegression

            # Newton-CG minimises the same penalised log-loss as the default
            # lbfgs, to a tighter optimum, in a quarter of the time on these
            # features (shipped material: 7 iterations, 0.7 s against 2.9 s).
            return LogisticRegression(
                C=C, class_weight=self.class_weight, solver="newton-cg", max_iter=5000, random_state=self.random_state
            )
        if self.classifier == "svm":
            from sklearn.calibration import CalibratedClassifierCV
            from sklearn.svm import LinearSVC

            return CalibratedClassifierCV(
                LinearSVC(C=C, class_weight=self.class_weight, random_state=self.random_state), method="sigmoid", cv=3
            )
        if self.classifier == "nb":
            from sklearn.naive_bayes import ComplementNB

            return ComplementNB(alpha=alpha)
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(
            loss="log_loss", alpha=alpha * 1e-3, class_weight=self.class_weight, max_iter=50, tol=None,
            random_state=self.random_state,
        )

    # -- scikit-learn API ------------------------------------------------------------

    def fit(self, X, y) -> "StanceClassifier":
        """Fit the model on sentences ``X`` and their labels ``y``.

        Parameters
        ----------
        X : list of str
            Sentences (any iterable of str, not a bare str).
        y : list of str
            One non-empty label per sentence; at least two distinct labels
            (with ``classifier="svm"``, at least 3 sentences of each).

        Returns
        -------
        self

        Raises
        ------
        TypeError
            ``X`` or ``y`` is not a list of str; the message names the item.
        ValueError
            Lengths differ, a label is empty, fewer than two labels, or no
            text holds anything the features can use (all are empty or hold
            only white space, punctuation or symbols).
        """
        texts = check_texts(X, "X")
        labels = check_texts(y, "y") if not isinstance(y, np.ndarray) or y.dtype.kind in "OUS" else None
        if labels is None:
            raise TypeError(f"The 'y' parameter of StanceClassifier.fit must be a list of str labels. Got an array of dtype {y.dtype} instead.")
        if len(texts) != len(labels):
            raise ValueError(f"X and y must have the same length. Got {len(texts)} texts and {len(labels)} labels instead.")
        for position, label in enumerate(labels):
            if not label.strip():
                raise ValueError(f"The 'y' parameter of StanceClassifier.fit must hold non-empty labels. Item {position} is {label!r} instead.")
        counts = Counter(labels)
        if len(counts) < 2:
            raise ValueError(f"The 'y' parameter of StanceClassifier.fit must hold at least 2 distinct labels. Got {sorted(counts)!r} instead.")
        if self.classifier == "svm" and min(counts.values()) < 3:
            rare = sorted(label for label, count in counts.items() if count < 3)
            raise ValueError(
                "The 'y' parameter of StanceClassifier.fit must hold at least 3 sentences of every label with "
                f"classifier='svm' (its calibration is 3-fold). Got fewer for {rare!r}."
            )
        pipeline = self._build_pipeline()
        try:
            pipeline.fit(texts, labels)
        except ValueError as error:
            if "empty vocabulary" not in str(error):  # scikit-learn's words for "no n-gram at all"
                raise
            raise ValueError(
                f"The 'X' parameter of StanceClassifier.fit holds nothing features={self.features!r} can learn "
                f"from: its {len(texts)} texts are empty or hold only white space, punctuation or symbols."
            ) from None
        self.pipeline_ = pipeline
        self.classes_ = pipeline.classes_
        self.feature_names_ = self._feature_names(pipeline)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Return class probabilities, one row per text, columns in ``classes_`` order.

        Parameters
        ----------
        X : iterable of str
            Sentences: a list, tuple, generator, 1-D numpy array or pandas
            Series of str; not a bare str.

        Returns
        -------
        ndarray of shape (n_texts, n_classes)
            Rows sum to 1; an empty ``X`` gives shape ``(0, n_classes)``. Any
            str is a valid text: one holding no feature the model knows
            (``""``, white space, a script it never saw) gets the
            probabilities of the empty text, which the intercepts alone set.

        Raises
        ------
        TypeError
            ``X`` is a single str or not an iterable of str; the message
            names the position of the first item that is not a str.
        ValueError
            ``X`` is an array with more than one dimension.
        """
        check_is_fitted(self, "pipeline_")
        texts = check_texts(X, "X")
        if not texts:
            return np.empty((0, len(self.classes_)))
        return self._proba(texts)

    def _proba(self, texts: list[str]) -> np.ndarray:
        # Features are float32 to halve memory; callers get float64 probabilities.
        # _fastpath gives pipeline_.predict_proba's exact result, several times faster.
        from ._fastpath import predict_proba

        return np.asarray(predict_proba(self.pipeline_, texts), dtype=np.float64)

    def predict(self, X) -> np.ndarray:
        """Return the most probable label of each text (an array of str).

        ``X`` is as for :meth:`predict_proba`; the same inputs are refused.
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)] if len(proba) else np.empty(0, dtype=self.classes_.dtype)

    # -- documents ---------------------------------------------------------------------

    def classify(self, document: str) -> list[Prediction]:
        """Label every sentence of a raw document.

        Parameters
        ----------
        document : str
            Plain text, Markdown with YAML front matter, or HTML.

        Returns
        -------
        list of Prediction
            One per sentence, in order; offsets point into ``clean_text(document)``.
            Empty for a document with no sentence: ``""``, white space only,
            HTML with no text, Markdown front matter only.
        """
        check_text(document, "document")
        return self._predict_sentences(segment_sentences(clean_text(document)))

    def classify_stream(self, documents: Iterable[str], *, batch_size: int = 2048) -> Iterator[list[Prediction]]:
        """Label the sentences of many documents lazily, in constant memory.

        Sentences of consecutive documents are predicted together in batches of
        about ``batch_size``, which is much faster than calling
        :meth:`classify` per short document; only one batch is held at a time.

        Parameters
        ----------
        documents : iterable of str
            Raw documents (any iterable, e.g. a file's lines or a generator).
        batch_size : int, default=2048
            Sentences per prediction batch.

        Yields
        ------
        list of Prediction
            For each document, in input order, what :meth:`classify` returns.

        Examples
        --------
        >>> model = load_model()  # doctest: +SKIP
        >>> for predictions in model.classify_stream(open("news.txt", encoding="utf-8")):  # doctest: +SKIP
        ...     print([p.label for p in predictions])
        """
        check_is_fitted(self, "pipeline_")
        if isinstance(documents, (str, bytes)):
            raise TypeError(
                "The 'documents' parameter of classify_stream must be an iterable of str, not a single "
                f"{type(documents).__name__}. Use classify() for one document."
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"The 'batch_size' parameter of classify_stream must be an int >= 1. Got {batch_size!r} instead.")
        pending: list[list] = []
        n_pending = 0
        for position, document in enumerate(documents):
            if not isinstance(document, str):
                raise TypeError(
                    f"The 'documents' parameter of classify_stream must be an iterable of str. "
                    f"Item {position} is {type(document).__name__} instead."
                )
            sentences = segment_sentences(clean_text(document))
            pending.append(sentences)
            n_pending += len(sentences)
            if n_pending >= batch_size:
                yield from self._flush(pending, batch_size)
                pending, n_pending = [], 0
        if pending:
            yield from self._flush(pending, batch_size)

    def _flush(self, pending: list[list], batch_size: int) -> Iterator[list[Prediction]]:
        sentences = [s for document in pending for s in document]
        # A long document (the CLI passes 1 MB blocks) is predicted batch_size
        # sentences at a time too: feature matrices stay small.
        flat = []
        for start in range(0, len(sentences), batch_size):
            flat.extend(self._predict_sentences(sentences[start : start + batch_size]))
        position = 0
        for sentences in pending:
            yield flat[position : position + len(sentences)]
            position += len(sentences)

    def _predict_sentences(self, sentences) -> list[Prediction]:
        check_is_fitted(self, "pipeline_")
        if not sentences:
            return []
        proba = self._proba([s.text for s in sentences])
        classes = [str(c) for c in self.classes_]
        best = proba.argmax(axis=1)
        return [
            Prediction(
                text=s.text,
                start=s.start,
                end=s.end,
                lang=s.lang,
                label=classes[k],
                score=float(row[k]),
                probabilities={c: float(p) for c, p in zip(classes, row)},
            )
            for s, row, k in zip(sentences, proba, best)
        ]

    def summarize(self, document: str, *, top: int = 3) -> DocumentSummary:
        """Share of sentences per label and the ``top`` most confident sentences per label."""
        predictions = self.classify(document)
        classes = [str(c) for c in self.classes_]
        n = len(predictions)
        shares = {c: (sum(p.label == c for p in predictions) / n if n else 0.0) for c in classes}
        top_sentences = {
            c: sorted((p for p in predictions if p.label == c), key=lambda p: -p.score)[:top] for c in classes
        }
        return DocumentSummary(n_sentences=n, shares=shares, top_sentences=top_sentences, predictions=predictions)

    # -- explanations -------------------------------------------------------------------

    @staticmethod
    def _feature_names(pipeline) -> np.ndarray:
        names: list[str] = []
        for name, transformer in pipeline.named_steps["features"].transformer_list:
            if name == "concept":
                names.extend(transformer.get_feature_names_out())
            else:
                names.extend(f"{name}:{n}" for n in transformer.get_feature_names_out())
        return np.asarray(names, dtype=object)

    def _class_weights(self) -> np.ndarray:
        clf = self.pipeline_.named_steps["clf"]
        if self.classifier == "svm":
            coef = np.mean([c.estimator.coef_ for c in clf.calibrated_classifiers_], axis=0)
        elif self.classifier == "nb":
            coef = clf.feature_log_prob_ - clf.feature_log_prob_.mean(axis=0, keepdims=True)
        else:
            coef = clf.coef_
        if coef.shape[0] == 1:
            coef = np.vstack([-coef[0], coef[0]])
        return coef

    def explain(self, text: str, top: int = 5) -> Explanation:
        """Return the n-grams that pushed ``text`` toward each label.

        Parameters
        ----------
        text : str
            One sentence. A text holding no feature the model knows (``""``,
            white space) gets the label of the empty text and no contribution.
        top : int, default=5
            How many features to keep per label.

        Examples
        --------
        >>> import stanceclf
        >>> explanation = stanceclf.load_model().explain("The central bank banned crypto trading.", top=3)
        >>> explanation.label
        'regulatory_crackdown'
        >>> [name for name, weight in explanation.contributions["regulatory_crackdown"]]  # doctest: +SKIP
        ['concept:prohibition', 'word:banned', 'char: ban']
        """
        check_is_fitted(self, "pipeline_")
        check_text(text, "text")
        if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
            raise ValueError(f"The 'top' parameter of explain must be an int >= 1. Got {top!r} instead.")
        from ._fastpath import transform

        # The features the prediction uses, computed once for both.
        row = transform(self.pipeline_, [text]).tocsr()
        weights = self._class_weights()
        names = self.feature_names_
        proba = self.pipeline_.steps[-1][1].predict_proba(row)
        label = str(self.classes_[proba[0].argmax()])
        contributions: dict[str, list[tuple[str, float]]] = {}
        for k, cls in enumerate(self.classes_):
            values = row.data * weights[k, row.indices]
            order = np.argsort(-values)[:top]
            contributions[str(cls)] = [(str(names[row.indices[i]]), float(values[i])) for i in order if values[i] > 0]
        return Explanation(text=text, label=label, contributions=contributions)

    def _more_tags(self):
        return {"X_types": ["string"]}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
