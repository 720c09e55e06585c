"""multilingual-e5-small (e5_weights.py) as an ONNX graph that fankui can run: a BERT encoder,
mean pooling over the attention mask (e5's sentence embedding), L2-normalised `embedding`, and
the same pooling over each clause's tokens for the `span_*` outputs. The word table keeps only
the pruned vocabulary's rows, in int8 with one scale per row; the matrices are quantised to int8
afterwards by ONNX Runtime's dynamic quantisation (accurate.py). Heads are added by `add_heads`.
"""

import numpy as np
import onnx

import common
import model_graph
from onnx_util import FLOAT, INT64, GraphBuilder

NEG = -1e4  # additive attention bias on padding


def _layer_norm(g, x, w, b, eps):
    return g.op("LayerNormalization", [x, g.const(w), g.const(b)], axis=-1, epsilon=float(eps))


def _linear(g, x, W, b):
    """x @ W.T + b (W is [out, in] as in the weights file)."""
    return g.op("Add", [g.op("MatMul", [x, g.const(np.ascontiguousarray(W.T))]), g.const(b)])


def encoder(g, w, keep, ids, mask):
    """Adds the encoder; returns (hidden [B, S, H], float mask [B, S])."""
    c, t = w["config"], w["tensors"]
    H, NH = c["hidden"], c["heads"]
    hd = H // NH
    word = t["emb.word"][keep]
    scale = np.abs(word).max(axis=1, keepdims=True) / 127 + 1e-12
    q = np.clip(np.round(word / scale), -127, 127).astype(np.int8)
    rows = g.op("Cast", [g.op("Gather", [g.const(q), ids])], to=onnx.TensorProto.FLOAT)
    x = g.op("Mul", [rows, g.op("Gather", [g.const(scale.astype(np.float32)), ids])])
    seq = g.op("Gather", [g.op("Shape", [ids]), g.i64(1)])
    positions = g.op("Range", [g.i64(0), seq, g.i64(1)])
    x = g.op("Add", [x, g.op("Gather", [g.const(t["emb.pos"]), positions])])
    x = g.op("Add", [x, g.const(t["emb.type"][0])])
    x = _layer_norm(g, x, t["emb.ln.w"], t["emb.ln.b"], c["eps"])
    maskf = g.op("Cast", [mask], to=onnx.TensorProto.FLOAT)
    bias = g.op("Mul", [g.op("Sub", [g.const(np.float32(1)), maskf]), g.const(np.float32(NEG))])
    bias = g.op("Unsqueeze", [bias, g.i64([1, 2])])  # [B, 1, 1, S]
    heads_shape = g.i64([0, 0, NH, hd])
    for l in range(c["layers"]):
        p = f"l{l}."

        def split(y):
            return g.op("Transpose", [g.op("Reshape", [y, heads_shape])], perm=[0, 2, 1, 3])
        qh = split(_linear(g, x, t[p + "q.w"], t[p + "q.b"]))
        kh = g.op("Transpose", [g.op("Reshape", [_linear(g, x, t[p + "k.w"], t[p + "k.b"]),
                                                 heads_shape])], perm=[0, 2, 3, 1])
        vh = split(_linear(g, x, t[p + "v.w"], t[p + "v.b"]))
        scores = g.op("Mul", [g.op("MatMul", [qh, kh]), g.const(np.float32(1 / np.sqrt(hd)))])
        probs = g.op("Softmax", [g.op("Add", [scores, bias])], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, vh])], perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, g.i64([0, 0, H])])
        x = _layer_norm(g, g.op("Add", [x, _linear(g, ctx, t[p + "ao.w"], t[p + "ao.b"])]),
                        t[p + "aln.w"], t[p + "aln.b"], c["eps"])
        mid = _linear(g, x, t[p + "fi.w"], t[p + "fi.b"])
        erf = g.op("Erf", [g.op("Mul", [mid, g.const(np.float32(1 / np.sqrt(2)))])])
        mid = g.op("Mul", [g.op("Mul", [mid, g.const(np.float32(0.5))]),
                           g.op("Add", [erf, g.const(np.float32(1))])])
        x = _layer_norm(g, g.op("Add", [x, _linear(g, mid, t[p + "fo.w"], t[p + "fo.b"])]),
                        t[p + "oln.w"], t[p + "oln.b"], c["eps"])
    return x, maskf


def _l2(g, x):
    n = g.op("ReduceL2", [x], axes=[-1], keepdims=1)
    return g.op("Div", [x, g.op("Max", [n, g.const(np.float32(1e-12))])])


def _mean(g, weights, hidden):
    """weights [B, K, S] (0/1) @ hidden [B, S, H] / count -> [B, K, H]."""
    total = g.op("MatMul", [weights, hidden])
    count = g.op("ReduceSum", [weights, g.i64([-1])], keepdims=1)
    return g.op("Div", [total, g.op("Max", [count, g.const(np.float32(1))])])


def build(w, keep, ex=None, vocab=None, spans=True, metadata=None):
    """Inputs input_ids, attention_mask, span_mask. Without heads (`ex` None) the outputs are
    embedding [B, H] and span_embedding [B, K, H], both L2-normalised. With heads (`ex`:
    heads.Heads.export() over the embedding and a bag of the `vocab` pieces, as model_graph.py
    builds them for the default model) also sentiment, topics and their span_ forms.
    Without `spans` the graph has no span_mask input nor span_ outputs (fankui then scores each
    clause as a text of its own). Returns (model, names of the heads' MatMul nodes, which stay
    float32)."""
    g = GraphBuilder()
    ids = g.input("input_ids", INT64, ["batch", "seq"])
    mask = g.input("attention_mask", INT64, ["batch", "seq"])
    span_mask = g.input("span_mask", FLOAT, ["batch", "spans", "seq"]) if spans else None
    hidden, maskf = encoder(g, w, keep, ids, mask)
    # row 0 of each selection is the whole text, rows 1.. its spans
    sel = g.op("Unsqueeze", [maskf, g.i64([1])])
    if spans:
        sel = g.op("Concat", [sel, span_mask], axis=1)
    pooled = _l2(g, _mean(g, sel, hidden))  # [B, 1 + K, H]
    H = w["config"]["hidden"]
    outs = {"embedding": (pooled, H)}
    first = len(g.nodes)
    if ex is not None:
        logits = g.op("Concat", [model_graph.add_head_dense(g, pooled, ex["sent"], "sentiment_head"),
                                 model_graph.add_head_dense(g, pooled, ex["topic"], "topic_head")],
                      axis=-1)
        bag = model_graph.add_bag(g, ids, sel, ex["Wb"][:vocab], ex["Wb"][vocab:])
        logits = g.op("Add", [g.op("Add", [logits, g.const(ex["b"], "head_bias")]), bag])
        ns, nt = len(common.SENTIMENTS), len(common.TOPICS)
        outs["sentiment"] = (g.op("Softmax", [g.op("Slice", [logits, g.i64([0]), g.i64([ns]),
                                                              g.i64([-1])])], axis=-1), ns)
        outs["topics"] = (g.op("Sigmoid", [g.op("Slice", [logits, g.i64([ns]), g.i64([ns + nt]),
                                                           g.i64([-1])])]), nt)
    head_matmuls = [n.name for n in g.nodes[first:] if n.op_type == "MatMul"]
    end = np.iinfo(np.int64).max
    for name, (x, dim) in outs.items():
        g.op("Squeeze", [g.op("Slice", [x, g.i64([0]), g.i64([1]), g.i64([1])]), g.i64([1])],
             [name])
        g.output(name, FLOAT, ["batch", dim])
        if spans:
            g.op("Slice", [x, g.i64([1]), g.i64([end]), g.i64([1])], ["span_" + name])
            g.output("span_" + name, FLOAT, ["batch", "spans", dim])
    return g.model("fankui_e5", doc=__doc__, metadata=metadata), head_matmuls
