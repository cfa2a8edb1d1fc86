"""One model shared by threads; lazily built jieba and OpenCC first used by several threads at once."""

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import stanceclf
from stanceclf._resources import seeds_dir

N_THREADS = 8


def documents() -> list[str]:
    """The seed documents whole, and each of their paragraphs alone: 8 threads' worth of work."""
    docs = []
    for path in sorted(seeds_dir().glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        docs.append(text)
        docs.extend(p for p in text.split("\n\n") if p.strip())
    return docs


def in_threads(work, shares):
    barrier = threading.Barrier(len(shares))

    def start(share):
        barrier.wait()  # all threads start at once, on cold caches
        return work(share)

    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        return list(pool.map(start, shares))


def test_eight_threads_sharing_a_model_get_the_sequential_results(shipped_model):
    docs = documents()
    assert len(docs) >= 4 * N_THREADS
    expected = [shipped_model.classify(doc) for doc in docs]
    shared = stanceclf.load_model()  # fresh: its caches fill up under the threads
    shares = [list(range(k, len(docs), N_THREADS)) for k in range(N_THREADS)]
    results = in_threads(lambda share: {i: shared.classify(docs[i]) for i in share}, shares)
    got = {i: predictions for part in results for i, predictions in part.items()}
    assert [got[i] for i in range(len(docs))] == expected  # exactly: same floats, same offsets


def test_eight_threads_predicting_batches_get_the_sequential_results(shipped_model):
    sentences = [s.text for doc in documents() for s in stanceclf.segment_sentences(stanceclf.clean_text(doc))]
    shares = [sentences[k::N_THREADS] for k in range(N_THREADS)]
    expected = [shipped_model.predict_proba(share) for share in shares]
    shared = stanceclf.load_model()
    results = in_threads(shared.predict_proba, shares)
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


FIRST_USE_FROM_THREADS = """
import json, sys, threading
import jieba, opencc
from stanceclf import tokenization

initialised, converters = [], []
original_initialize = jieba.Tokenizer.initialize
def counting_initialize(self, *args, **kwargs):
    initialised.append(threading.get_ident())
    return original_initialize(self, *args, **kwargs)
jieba.Tokenizer.initialize = counting_initialize
original_converter = opencc.OpenCC
def counting_converter(*args, **kwargs):
    converters.append(threading.get_ident())
    return original_converter(*args, **kwargs)
opencc.OpenCC = counting_converter

assert tokenization._jieba is None and tokenization._converter is None, "already initialised"
texts = ["央行宣布全面禁止虛擬貨幣交易，比特幣下跌", "杭州設立百億元區塊鏈產業基金", "矿场全面关停", "數字人民幣試點擴大"] * 2
barrier = threading.Barrier(len(texts))
results, tokenizers, errors = [None] * len(texts), [None] * len(texts), []
def work(i):
    barrier.wait()
    try:
        tokenizers[i] = id(tokenization.jieba_tokenizer())
        results[i] = tokenization.tokenize(tokenization.normalize_text(texts[i]))
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
for t in threads: t.start()
for t in threads: t.join()
expected = [tokenization.tokenize(tokenization.normalize_text(t)) for t in texts]
print(json.dumps({"errors": errors, "same": results == expected, "tokenizers": len(set(tokenizers)),
                  "initialised": len(initialised), "converters": len(converters), "example": results[0]},
                 ensure_ascii=False))
"""


def test_jieba_and_opencc_are_built_once_when_first_used_from_eight_threads():
    # A fresh interpreter, so that nothing is initialised before the threads start.
    done = subprocess.run([sys.executable, "-c", FIRST_USE_FROM_THREADS], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    assert report["same"] is True
    assert report["tokenizers"] == 1 and report["initialised"] == 1 and report["converters"] == 1
    # Converted to Simplified by OpenCC, cut into several words by jieba.
    assert "".join(report["example"]) == "央行宣布全面禁止虚拟货币交易比特币下跌" and len(report["example"]) > 4
    assert "Building prefix dict" not in done.stderr
