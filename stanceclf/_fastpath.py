"""Prediction without the per-n-gram Python loops of scikit-learn's text vectorizers.

Most of a fitted pipeline's prediction time went to
``TfidfVectorizer(analyzer="char_wb")``: scikit-learn builds every character
n-gram as a Python string and counts it in a dict. This module computes the very
same count matrix with numpy:

* every character of the vocabulary gets a 16-bit id (1..K), any other
  character the id ``0xFFFF``; an n-gram of up to 4 characters is then one
  64-bit integer (its ids side by side), and the vocabulary an open-addressing
  hash table of such integers, probed for a whole batch at once;
* words are padded with a space on each side and separated by ``\uffff``, whose
  id belongs to no vocabulary entry, so no n-gram found spans two words;
* words recur, so the n-gram counts of each distinct word (up to 16
  characters, at most 32,768 words, then the cache starts afresh) are kept,
  and a batch's counts are one sparse product, documents x words x n-grams.

Word n-gram counts (``analyzer="word"`` with stanceclf's tokenizer) skip
scikit-learn's per-feature counting loop the same way: one ``map`` over the
vocabulary per n-gram length for the whole batch, counted with numpy.

The counts then go through the TF-IDF step and the classifier as
scikit-learn computes them (its own code for the classifiers, and the same
numpy and Cython operations in the same order for TF-IDF and multinomial
logistic regression, whose input validation costs more than the arithmetic on a
short batch), so probabilities are bit-for-bit those of
``pipeline.predict_proba`` (``tests/test_fastpath.py`` checks it on the whole
seed corpus, on arbitrary text and for every classifier). Anything this
module does not recognise (another analyser, more than 4 characters, a custom
preprocessor, a vocabulary of more than 65,534 characters, input holding
``\\uffff``) takes scikit-learn's own path.
"""

from __future__ import annotations

import threading
import weakref
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

__all__ = ["predict_proba", "transform"]

_SEP = "\uffff"
_INVALID = 0xFFFF
_MAX_CHARS = 4  # 4 x 16 bits fill one uint64 key


class _Unsupported(Exception):
    pass


class _CharIndex:
    """The vocabulary of one fitted char_wb vectorizer as sorted integer keys."""

    def __init__(self, vectorizer):
        vocabulary = vectorizer.vocabulary_
        min_n, max_n = vectorizer.ngram_range
        chars = sorted({c for gram in vocabulary for c in gram})
        if max_n > _MAX_CHARS or len(chars) >= _INVALID or _SEP in chars:
            raise _Unsupported
        self.vocabulary = vocabulary  # held so a refit (a new dict) is noticed
        self.min_n, self.max_n = min_n, max_n
        self.n_features = len(vocabulary)
        # 0x110000 code points; 2.2 MB, built once per fitted vectorizer.
        self.table = np.full(0x110000, _INVALID, dtype=np.uint16)
        self.table[[ord(c) for c in chars]] = np.arange(1, len(chars) + 1, dtype=np.uint16)
        keys = np.fromiter((self._key(gram) for gram in vocabulary), dtype=np.uint64, count=len(vocabulary))
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        self.slots, self.slot_columns, self.shift = _hash_table(keys, columns)
        self.lock = threading.Lock()
        self._reset_words()

    def _reset_words(self) -> None:
        # The n-gram counts of every word seen, as the rows of a CSR matrix
        # that grows in place; bounded, then started afresh.
        self.word_row: dict[str, int] = {}
        self.word_indptr = np.zeros(1, dtype=np.int64)
        self.word_columns = np.zeros(1024, dtype=np.int32)
        self.word_counts = np.zeros(1024, dtype=np.float32)

    def _key(self, gram: str) -> int:
        key = 0
        for position, char in enumerate(gram):
            key |= int(self.table[ord(char)]) << (16 * position)
        return key

    def counts_by_word(self, documents: list[str], dtype) -> sp.csr_matrix:
        """The count matrix of :meth:`counts`, summed from cached per-word rows.

        Words recur (news English uses a few thousand words over and over), so
        the n-grams of each distinct word are looked up once and a batch's
        counts are a sparse product: (documents x words) @ (words x n-grams).
        """
        with self.lock:
            words_of = [document.split() for document in documents]
            flat = list(chain.from_iterable(words_of))
            row = self.word_row
            distinct = [word for word in dict.fromkeys(flat) if word not in row]
            # Long "words" (a Chinese sentence has no spaces) seldom recur:
            # their rows serve this batch only, past the end of the cache.
            new = [word for word in distinct if len(word) <= _MAX_CACHED_LENGTH]
            once = [word for word in distinct if len(word) > _MAX_CACHED_LENGTH]
            if len(row) + len(new) > _MAX_CACHED_WORDS:
                self._reset_words()
                row = self.word_row
                new = [word for word in dict.fromkeys(flat) if len(word) <= _MAX_CACHED_LENGTH]
            if new:
                self._add_words(new)
            n_cached = len(row)
            indptr = self.word_indptr
            if once:
                values, columns, once_indptr = self.counts(once)
                used = int(indptr[-1])
                self.word_columns = _append(self.word_columns, used, columns)
                self.word_counts = _append(self.word_counts, used, values)
                indptr = np.concatenate((indptr, once_indptr[1:] + used))
            get = row.get
            word_ids = np.fromiter(map(get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
            if once:
                batch_row = dict(zip(once, range(n_cached, n_cached + len(once))))
                missing = np.flatnonzero(word_ids < 0)
                word_ids[missing] = [batch_row[flat[i]] for i in missing]
            doc_indptr = np.zeros(len(documents) + 1, dtype=np.int64)
            np.cumsum(np.fromiter(map(len, words_of), dtype=np.int64, count=len(words_of)), out=doc_indptr[1:])
            n_rows = len(indptr) - 1
            occurrences = sp.csr_matrix(
                (np.ones(len(flat), dtype=np.float32), word_ids, doc_indptr), shape=(len(documents), n_rows)
            )
            grams = sp.csr_matrix(
                (self.word_counts[: indptr[-1]], self.word_columns[: indptr[-1]], indptr),
                shape=(n_rows, self.n_features),
            )
            counts = occurrences @ grams
        # Two transpositions (counting sorts, linear time) leave every row's
        # columns in order, as scikit-learn's sort_indices does, but faster.
        return counts.tocsc().tocsr().astype(dtype, copy=False)

    def _add_words(self, words: list[str]) -> None:
        values, indices, indptr = self.counts(words)
        start = len(self.word_row)
        self.word_row.update(zip(words, range(start, start + len(words))))
        used = int(self.word_indptr[-1])
        self.word_indptr = np.concatenate((self.word_indptr, indptr[1:] + used))
        self.word_columns = _append(self.word_columns, used, indices)
        self.word_counts = _append(self.word_counts, used, values)

    def counts(self, documents: list[str]):
        """The n-gram counts scikit-learn's ``_count_vocab`` would find, as CSR arrays."""
        pieces = []
        for document in documents:
            words = document.split()
            pieces.append(" " + (" " + _SEP + " ").join(words) + " " if words else "")
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        text = _SEP.join(pieces) + _SEP
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ids = self.table[codes].astype(np.uint64)
        rows = np.repeat(np.arange(len(pieces), dtype=np.int64), lengths + 1)

        keys, key_rows = [], []
        gram = ids
        grams = {1: gram}
        for n in range(1, self.max_n + 1):
            if n > 1:
                gram = gram[:-1] | (ids[n - 1 :] << np.uint64(16 * (n - 1)))
                grams[n] = gram
            if n >= self.min_n:
                keys.append(gram)
                key_rows.append(rows[: len(gram)])
        # scikit-learn emits a padded word shorter than min_n whole, once.
        separators = np.flatnonzero(codes == ord(_SEP))
        starts = np.concatenate(([0], separators[:-1] + 1))
        spans = separators - starts
        for n in range(1, self.min_n):
            short = starts[spans == n]
            if len(short):
                keys.append(grams[n][short])
                key_rows.append(rows[short])

        keys = np.concatenate(keys)
        key_rows = np.concatenate(key_rows)
        columns = _lookup(self.slots, self.slot_columns, self.shift, keys)
        hit = columns >= 0
        cells = key_rows[hit] * self.n_features + columns[hit]
        cells, values = np.unique(cells, return_counts=True)
        row_of = cells // self.n_features
        indptr = np.searchsorted(row_of, np.arange(len(pieces) + 1))
        index_dtype = np.int32 if len(cells) <= np.iinfo(np.int32).max else np.int64
        return (
            values,
            (cells % self.n_features).astype(index_dtype),
            indptr.astype(index_dtype),
        )


# At most 32,768 words of at most 16 characters: about 1-2 million cached
# n-gram counts, 8-16 MB, whatever the input size.
_MAX_CACHED_WORDS = 1 << 15
_MAX_CACHED_LENGTH = 16


def _append(array: np.ndarray, used: int, extra: np.ndarray) -> np.ndarray:
    """Write ``extra`` after the first ``used`` items, growing ``array`` by doubling."""
    needed = used + len(extra)
    if needed > len(array):
        grown = np.empty(max(needed, 2 * len(array)), dtype=array.dtype)
        grown[:used] = array[:used]
        array = grown
    array[used:needed] = extra
    return array


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _slot(keys: np.ndarray, shift: np.uint64) -> np.ndarray:
    # Fibonacci hashing: the top bits of key * 2^64/phi spread any key set.
    return ((keys * _GOLDEN) >> shift).astype(np.int64)


def _hash_table(keys: np.ndarray, columns: np.ndarray):
    """An open-addressing table (linear probing, load <= 1/4) of non-zero keys."""
    bits = max(10, int(4 * len(keys)).bit_length())
    size = 1 << bits
    shift = np.uint64(64 - bits)
    slots = np.zeros(size, dtype=np.uint64)  # 0 is no key: every id is >= 1
    slot_columns = np.full(size, -1, dtype=np.int64)
    position = _slot(keys, shift)
    pending = np.arange(len(keys))
    while len(pending):
        free = slots[position] == 0
        # Of several keys aiming at one free slot, the first takes it.
        candidates = pending[free]
        _, first = np.unique(position[free], return_index=True)
        winners = candidates[first]
        slots[position[free][first]] = keys[winners]
        slot_columns[position[free][first]] = columns[winners]
        placed = np.zeros(len(keys), dtype=bool)
        placed[winners] = True
        keep = ~placed[pending]
        pending = pending[keep]
        position = (position[keep] + (~free[keep]).astype(np.int64)) & (size - 1)
    return slots, slot_columns, shift


def _lookup(slots: np.ndarray, slot_columns: np.ndarray, shift: np.uint64, keys: np.ndarray) -> np.ndarray:
    """The column of each key, -1 for keys not in the table."""
    mask = len(slots) - 1
    result = np.full(len(keys), -1, dtype=np.int64)
    position = _slot(keys, shift)
    pending = np.arange(len(keys))
    while len(pending):
        found = slots[position]
        hit = found == keys[pending] if len(pending) != len(keys) else found == keys
        result[pending[hit]] = slot_columns[position[hit]]
        again = ~hit & (found != 0)
        pending = pending[again]
        position = (position[again] + 1) & mask
    return result


_indexes: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _char_index(vectorizer) -> _CharIndex | None:
    cached = _indexes.get(vectorizer)
    if cached is not None and cached is not False and cached.vocabulary is vectorizer.vocabulary_:
        return cached
    if cached is False:
        return None
    try:
        index = _CharIndex(vectorizer)
    except _Unsupported:
        _indexes[vectorizer] = False
        return None
    _indexes[vectorizer] = index
    return index


def _supported(vectorizer, analyzer: str) -> bool:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (
        type(vectorizer) is TfidfVectorizer
        and vectorizer.analyzer == analyzer
        and vectorizer.input == "content"
        and vectorizer.preprocessor is None
        and vectorizer.strip_accents is None
        and hasattr(vectorizer, "vocabulary_")
        and hasattr(vectorizer, "_tfidf")
        and (analyzer != "word" or (callable(vectorizer.tokenizer) and vectorizer.stop_words is None))
    )


def _word_counts(vectorizer, texts: list[str]) -> sp.csr_matrix:
    """scikit-learn's word n-gram counts without its per-feature counting loop.

    The n-grams are those of ``_word_ngrams`` (tokens, then the space-joined
    runs of 2..max_n tokens). They are built over the batch's tokens laid end
    to end, n-grams that cross from one text into the next are dropped, and
    all columns are found with one ``map`` over the vocabulary and counted
    with numpy.
    """
    get = vectorizer.vocabulary_.get
    tokenizer = vectorizer.tokenizer
    min_n, max_n = vectorizer.ngram_range
    token_lists = [tokenizer(text) for text in texts]
    tokens = list(chain.from_iterable(token_lists))
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    token_rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    columns, rows = [], []
    for n in range(min_n, max_n + 1):
        if len(tokens) < n:
            break
        grams = tokens if n == 1 else map(" ".join, zip(*(tokens[k:] for k in range(n))))
        found = np.fromiter(map(get, grams, repeat(-1)), dtype=np.int64, count=len(tokens) - n + 1)
        # An n-gram belongs to one text when its first and last token do.
        keep = (found >= 0) & (token_rows[: len(found)] == token_rows[n - 1 :])
        columns.append(found[keep])
        rows.append(token_rows[: len(found)][keep])
    n_features = len(vectorizer.vocabulary_)
    cells = np.concatenate(rows) * n_features + np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    cells, values = np.unique(cells, return_counts=True)
    indptr = np.searchsorted(cells // n_features, np.arange(len(texts) + 1))
    return sp.csr_matrix(
        (values, (cells % n_features).astype(np.int32), indptr.astype(np.int32)),
        shape=(len(texts), n_features),
        dtype=vectorizer.dtype,
    )


def _vectorize(vectorizer, texts: list[str]):
    if _supported(vectorizer, "word"):
        texts = [text.lower() for text in texts] if vectorizer.lowercase else texts
        counts = _word_counts(vectorizer, texts)
    else:
        index = _char_index(vectorizer) if _supported(vectorizer, "char_wb") else None
        if index is None or any(_SEP in text for text in texts):
            return vectorizer.transform(texts)
        if vectorizer.lowercase:
            texts = [text.lower() for text in texts]
        counts = index.counts_by_word(texts, vectorizer.dtype)
    if vectorizer.binary:
        counts.data.fill(1)
    return _tfidf(vectorizer._tfidf, counts)


def _tfidf(transformer, counts: sp.csr_matrix):
    """``transformer.transform(counts, copy=False)`` without its input validation.

    The steps are ``TfidfTransformer.transform``'s own, on counts this module
    built (CSR, the vectorizer's float dtype, sorted columns); the validation
    they skip cost about 1 ms per call, most of the time of a short batch.
    """
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

    if type(transformer) is not TfidfTransformer or transformer.norm not in ("l2", None):
        return transformer.transform(counts, copy=False)
    if transformer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    if hasattr(transformer, "idf_"):
        counts.data *= transformer.idf_[counts.indices]
    if transformer.norm == "l2":
        inplace_csr_row_normalize_l2(counts)
    return counts


def _union_transform(union, texts):
    if union.transformer_weights:
        return union.transform(texts)
    blocks = [
        _vectorize(transformer, texts) if hasattr(transformer, "vocabulary_") else transformer.transform(texts)
        for _, transformer in union.transformer_list
        if transformer not in ("drop", None)
    ]
    if not blocks:
        return union.transform(texts)
    if all(sp.issparse(block) for block in blocks):
        return sp.hstack(blocks).tocsr()
    return union.transform(texts)


def transform(pipeline, texts: list[str]):
    """Run every step but the last of a fitted pipeline on ``texts``."""
    from sklearn.pipeline import FeatureUnion

    data = texts
    for _, step in pipeline.steps[:-1]:
        if step in ("passthrough", None):
            continue
        data = _union_transform(step, data) if isinstance(step, FeatureUnion) else step.transform(data)
    return data


def predict_proba(pipeline, texts: list[str]) -> np.ndarray:
    """``pipeline.predict_proba(texts)``, computed with the fast char_wb counts."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.extmath import softmax

    classifier = pipeline.steps[-1][1]
    features = transform(pipeline, texts)
    if type(classifier) is LogisticRegression and len(classifier.classes_) > 2 and sp.issparse(features):
        # LogisticRegression.predict_proba's multinomial steps, without the
        # input validation that costs more than they do on a short batch.
        return softmax(features @ classifier.coef_.T + classifier.intercept_, copy=False)
    return classifier.predict_proba(features)
