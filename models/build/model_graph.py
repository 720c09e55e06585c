"""Assembles models/default/model.onnx: tokens -> USE encoder (int8) + bag of pieces -> heads.

Inputs   input_ids int64 [batch, seq], attention_mask int64 [batch, seq] (1 = token, 0 = pad)
         span_mask float32 [batch, spans, seq]: 1 = the token belongs to that span (a clause);
                   all-zero rows are unused spans (pass [batch, 1, seq] zeros for none)
Outputs  sentiment float32 [batch, 3]   softmax over negative, neutral, positive
         topics    float32 [batch, 14]  independent sigmoids, order of labels.json "topics"
         embedding float32 [batch, 512] L2-normalised USE sentence embedding
         span_sentiment, span_topics, span_embedding: the same per span, [batch, spans, ...]
"""

import numpy as np

import common
import encoder
import features
from onnx_util import FLOAT, INT64, GraphBuilder

N_OUT = len(common.SENTIMENTS) + len(common.TOPICS)


def half(a):
    """Tables are stored as float16 (halves their size); numpy predictions use the same values."""
    return np.asarray(a, np.float32).astype(np.float16)


def add_bag(g, ids, sel, uni_table, bi_table):
    """fastText-style EmbeddingBag over selected tokens: for each row of sel [B,S,T] (1 = token
    taken), the mean of its per-piece rows + the mean of hashed-bigram rows over pairs of
    adjacent taken tokens. Returns [B,S,17]."""
    n = g.op("Max", [g.op("ReduceSum", [sel, g.i64([2])], keepdims=1),
                     g.const(np.float32(1))])                                    # [B,S,1]
    u = g.op("Cast", [g.op("Gather", [g.const(half(uni_table), "bag_unigram_f16"), ids],
                           axis=0)], to=FLOAT)                                  # [B,T,17]
    u = g.op("Div", [g.op("MatMul", [sel, u]), n])
    a = g.op("Slice", [ids, g.i64([0]), g.i64([-1]), g.i64([1])])
    b = g.op("Slice", [ids, g.i64([1]), g.i64([np.iinfo(np.int64).max]), g.i64([1])])
    h = g.op("Mod", [g.op("Add", [g.op("Mul", [a, g.i64(features.MUL)]), b]),
                     g.i64(features.BUCKETS)])
    pairs = g.op("Mul", [g.op("Slice", [sel, g.i64([0]), g.i64([-1]), g.i64([2])]),
                         g.op("Slice", [sel, g.i64([1]), g.i64([np.iinfo(np.int64).max]),
                                        g.i64([2])])])                           # [B,S,T-1]
    v = g.op("Cast", [g.op("Gather", [g.const(half(bi_table), "bag_bigram_f16"), h], axis=0)],
             to=FLOAT)                                                          # [B,T-1,17]
    v = g.op("Div", [g.op("MatMul", [pairs, v]),
                     g.op("Max", [g.op("Sub", [n, g.const(np.float32(1))]),
                                  g.const(np.float32(1))])])
    return g.op("Add", [u, v])


def add_head_dense(g, dense, h, name):
    """Dense part of one head's logits: dense @ Wd, or relu(dense @ W1 + b1) @ W2."""
    if "W1" in h:
        hid = g.op("Relu", [g.op("Add", [g.op("MatMul", [dense, g.const(h["W1"], f"{name}_W1")]),
                                         g.const(h["b1"], f"{name}_b1")])])
        return g.op("MatMul", [hid, g.const(h["W2"], f"{name}_W2")])
    return g.op("MatMul", [dense, g.const(h["Wd"], f"{name}_W")])


def build(w, n_base, vocab, ex, sent_parts, topic_parts, metadata):
    """w: encoder weights; ex: heads.Heads.export() (heads on raw dense features, bag tables).

    Besides the sentence outputs, the graph scores spans of each sentence (its clauses) in the
    same run: span_mask [batch, spans, seq] selects each span's tokens; the span's outputs pool
    only those tokens' features (computed once, in the sentence's context)."""
    g = GraphBuilder()
    ids = g.input("input_ids", INT64, ["batch", "seq"])
    mask = g.input("attention_mask", INT64, ["batch", "seq"])
    span = g.input("span_mask", FLOAT, ["batch", "spans", "seq"])
    enc_ids, enc_mask, order = encoder.add_unk_fusion(g, ids, mask, n_base)
    t = encoder.add_encoder(g, w, enc_ids, enc_mask, quant=True, pool=False)

    # Row 0 of each selection is the whole sentence, rows 1.. its spans: one pooling, one
    # feed-forward stack and one set of heads serve both.
    maskf = g.op("Unsqueeze", [g.op("Cast", [mask], to=FLOAT), g.i64([1])])     # [B,1,T]
    sel = g.op("Concat", [maskf, span], axis=1)                                 # [B,1+S,T]
    # the same selection in the encoder's (unk-fused) token order
    enc_order = g.op("Expand", [g.op("Unsqueeze", [order, g.i64([1])]), g.op("Shape", [sel])])
    enc_keep = g.op("Unsqueeze", [g.op("Cast", [enc_mask], to=FLOAT), g.i64([1])])
    sel_enc = g.op("Mul", [g.op("GatherElements", [sel, enc_order], axis=2), enc_keep])
    length = g.op("Max", [g.op("ReduceSum", [sel_enc, g.i64([2])], keepdims=1),
                          g.const(np.float32(1))])                               # [B,1+S,1]
    tt = encoder.add_pooled(g, w, g.op("MatMul", [sel_enc, t["feats"]]), length, quant=True)

    def dense(parts):  # in DENSE_PARTS order, as features.part_columns
        parts = [p for p in features.DENSE_PARTS if p in parts]
        return tt[parts[0]] if len(parts) == 1 else g.op("Concat", [tt[p] for p in parts],
                                                         axis=-1)

    logits = g.op("Concat", [add_head_dense(g, dense(sent_parts), ex["sent"], "sentiment_head"),
                             add_head_dense(g, dense(topic_parts), ex["topic"], "topic_head")],
                  axis=-1)
    bag = add_bag(g, ids, sel, ex["Wb"][:vocab], ex["Wb"][vocab:])
    logits = g.op("Add", [g.op("Add", [logits, g.const(ex["b"], "head_bias")]), bag])
    ns = len(common.SENTIMENTS)
    probs = {
        "sentiment": g.op("Softmax", [g.op("Slice", [logits, g.i64([0]), g.i64([ns]),
                                                     g.i64([-1])])], axis=-1),
        "topics": g.op("Sigmoid", [g.op("Slice", [logits, g.i64([ns]), g.i64([N_OUT]),
                                                  g.i64([-1])])]),
        "embedding": tt["embedding"],
    }
    end = np.iinfo(np.int64).max
    for name, x in probs.items():
        g.op("Squeeze", [g.op("Slice", [x, g.i64([0]), g.i64([1]), g.i64([1])]), g.i64([1])],
             [name])
        g.op("Slice", [x, g.i64([1]), g.i64([end]), g.i64([1])], ["span_" + name])
    g.output("sentiment", FLOAT, ["batch", ns])
    g.output("topics", FLOAT, ["batch", len(common.TOPICS)])
    g.output("embedding", FLOAT, ["batch", encoder.EMB])
    g.output("span_sentiment", FLOAT, ["batch", "spans", ns])
    g.output("span_topics", FLOAT, ["batch", "spans", len(common.TOPICS)])
    g.output("span_embedding", FLOAT, ["batch", "spans", encoder.EMB])
    return g.model("fankui_default", doc=__doc__, metadata=metadata)


def numpy_outputs(dense, bag, ex, sent_cols, topic_cols):
    """What the graph computes, from features.py's features (for the ONNX-vs-numpy check)."""
    def dense_part(h, cols):
        x = dense[:, cols]
        if "W1" in h:
            return np.maximum(x @ h["W1"] + h["b1"], 0) @ h["W2"]
        return x @ h["Wd"]
    logits = (np.concatenate([dense_part(ex["sent"], sent_cols),
                              dense_part(ex["topic"], topic_cols)], axis=1)
              + ex["b"] + bag @ half(ex["Wb"]).astype(np.float32))
    ns = len(common.SENTIMENTS)
    s = logits[:, :ns] - logits[:, :ns].max(axis=1, keepdims=True)
    s = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    return s, 1 / (1 + np.exp(-logits[:, ns:]))
