"""Features of the heads, computed exactly as model.onnx computes them.

  dense  = encoder outputs (run through work/encoder_int8.onnx, the same subgraph model.onnx
           contains), chosen by DENSE_PARTS
  sparse = bag of pieces, fastText style, over the token ids of tokenizer.json (incl. <s>, </s>):
           unigram counts / n  (V columns, one per piece id)
           hashed bigram counts / (n - 1)  (BUCKETS columns, bucket = (a * MUL + b) mod BUCKETS)
A linear layer over [dense | sparse] is then the same as gathering per-piece and per-bucket
weight rows in the graph and averaging them (an EmbeddingBag).
"""

import hashlib
import os

import numpy as np
import scipy.sparse as sp

import common

BUCKETS = 1 << 18
MUL = 1_000_003  # prime; a * MUL + b < 2^63 for every id
DENSE_PARTS = ("embedding", "feat_mean")  # every encoder output some head uses
PART_DIMS = {"embedding": 512, "y1": 320, "dan_in": 512, "y2": 512, "feat_mean": 1280}


def part_columns(parts):
    """Column indices of the given parts in the dense matrix (DENSE_PARTS concatenated)."""
    cols, off = [], 0
    for p in DENSE_PARTS:
        if p in parts:
            cols.append(np.arange(off, off + PART_DIMS[p]))
        off += PART_DIMS[p]
    return np.concatenate(cols)


def bigram_bucket(a, b):
    return (np.asarray(a, np.int64) * MUL + np.asarray(b, np.int64)) % BUCKETS


def bag_matrix(id_lists, vocab):
    """CSR [N, vocab + BUCKETS]: unigram and hashed-bigram relative frequencies."""
    rows, cols, vals = [], [], []
    for r, ids in enumerate(id_lists):
        ids = np.asarray(ids, np.int64)
        n = len(ids)
        rows.append(np.full(n, r))
        cols.append(ids)
        vals.append(np.full(n, 1.0 / n, np.float32))
        if n > 1:
            rows.append(np.full(n - 1, r))
            cols.append(vocab + bigram_bucket(ids[:-1], ids[1:]))
            vals.append(np.full(n - 1, 1.0 / (n - 1), np.float32))
    m = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(len(id_lists), vocab + BUCKETS), dtype=np.float32)
    m.sum_duplicates()
    return m


class DenseCache:
    """Encoder outputs per text, cached on disk (work/dense_<encoder hash>.npz) so that reruns,
    and new training files, only encode texts not seen before."""

    def __init__(self, encoder_path=None):
        from encoder import Encoder
        path = encoder_path or f"{common.WORK}/encoder_int8.onnx"
        self.enc = Encoder(path)
        tag = hashlib.sha1(open(path, "rb").read()).hexdigest()[:10]
        self.path = f"{common.WORK}/dense_{tag}_{'-'.join(DENSE_PARTS)}.npz"
        self.index, self.rows = {}, []
        if os.path.exists(self.path):
            z = np.load(self.path, allow_pickle=False)
            self.index = {t: i for i, t in enumerate(z["texts"])}
            self.rows = [z["x"]]

    def __call__(self, texts, id_lists):
        todo = sorted({i for i, t in enumerate(texts) if t not in self.index},
                      key=lambda i: texts[i])
        todo = [i for k, i in enumerate(todo) if k == 0 or texts[i] != texts[todo[k - 1]]]
        if todo:
            out = self.enc.run_ids([id_lists[i] for i in todo], batch=32)
            x = np.concatenate([out[p + "_out"] for p in DENSE_PARTS], axis=1).astype(np.float32)
            base = len(self.index)
            for k, i in enumerate(todo):
                self.index[texts[i]] = base + k
            self.rows.append(x)
            allx = np.concatenate(self.rows)
            self.rows = [allx]
            keys = np.array(sorted(self.index, key=self.index.get))
            np.savez(self.path, texts=keys, x=allx)
        allx = self.rows[0]
        return allx[[self.index[t] for t in texts]]
