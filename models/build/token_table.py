"""Replaces the encoder's per-token projection by a table lookup (a graph rewrite of model.onnx).

The first layers of the encoder depend on the token id only: embedding lookup, projection to the
three 256-d n-gram blocks (an int8 matrix product) and its layer norm. This script computes that
layer norm's output once for every id of the vocabulary, with ONNX Runtime running the model's own
nodes (so the values are the ones the graph computed), stores it as a table with one uint8 code
per value and a scale and an offset per id (like the embedding table), and replaces those nodes by
a lookup. The rest of the graph is unchanged.

Usage: token_table.py MODEL_IN MODEL_OUT      (a model already rewritten is copied unchanged)
"""
import sys

import numpy as np
import onnx
import onnx.utils
import onnxruntime as ort
from onnx import helper, numpy_helper, TensorProto

from onnx_util import prune

TABLE = "token_ln_table_u8"


def consumers(graph, name):
    return [n for n in graph.node if name in n.input]


def find_path(graph):
    """(ids tensor, projection layer norm output, nodes to drop) of the token projection."""
    emb = [n for n in graph.node if n.op_type == "Gather" and n.input[0] == "emb_table_u8"]
    if len(emb) != 1:
        raise SystemExit("no single Gather on emb_table_u8: not an encoder graph of build/encoder.py")
    ids, codes = emb[0].input[1], emb[0].output[0]
    mm = [n for n in consumers(graph, codes) if n.op_type == "MatMulInteger"]
    if len(mm) != 1:
        raise SystemExit("no projection MatMulInteger on the embedding codes")
    # walk forward from the projection to the first LayerNormalization; every node on the way
    # must depend only on per-token values (the gathers of the embedding's scale and offset)
    drop, frontier, ln = [], [mm[0]], None
    while frontier:
        n = frontier.pop()
        if n in drop:
            continue
        drop.append(n)
        if n.op_type == "LayerNormalization":
            ln = n
            continue
        for out in n.output:
            frontier += consumers(graph, out)
    if ln is None:
        raise SystemExit("no LayerNormalization after the projection")
    return ids, ln.output[0], drop


def compute_table(path, ids, ln_out, vocab):
    m = onnx.shape_inference.infer_shapes(onnx.load(path))
    sub = onnx.utils.Extractor(m).extract_model([ids], [ln_out])
    s = ort.InferenceSession(sub.SerializeToString(), providers=["CPUExecutionProvider"])
    rows = []
    for a in range(0, vocab, 4096):
        x = np.arange(a, min(vocab, a + 4096), dtype=np.int64)[None, :]
        rows.append(s.run(None, {ids: x})[0][0])
    return np.concatenate(rows).astype(np.float32)


def main(src, dst):
    m = onnx.load(src)
    g = m.graph
    if any(i.name == TABLE for i in g.initializer):
        onnx.save(m, dst)
        print(f"{src}: already has {TABLE}; copied")
        return
    ids, ln_out, drop = find_path(g)
    vocab = [i for i in g.initializer if i.name == "emb_table_u8"][0].dims[0]
    table = compute_table(src, ids, ln_out, vocab)
    lo = table.min(axis=1)
    scale = np.maximum(table.max(axis=1) - lo, 1e-12) / 255
    codes = np.clip(np.round((table - lo[:, None]) / scale[:, None]), 0, 255).astype(np.uint8)
    err = np.abs(codes * scale[:, None] + lo[:, None] - table)
    print(f"table {table.shape}: max |error| {err.max():.4f}, mean {err.mean():.5f}, "
          f"values in [{table.min():.2f}, {table.max():.2f}]")
    keep = [n for n in g.node if n not in drop]
    first = min(i for i, n in enumerate(g.node) if n in drop)
    new = [
        helper.make_node("Gather", [TABLE, ids], ["tt_codes"], name="tt_gather_codes", axis=0),
        helper.make_node("Cast", ["tt_codes"], ["tt_codes_f"], name="tt_cast", to=TensorProto.FLOAT),
        helper.make_node("Gather", ["token_ln_scale", ids], ["tt_scale"], name="tt_gather_scale", axis=0),
        helper.make_node("Gather", ["token_ln_offset", ids], ["tt_offset"], name="tt_gather_offset", axis=0),
        helper.make_node("Unsqueeze", ["tt_scale", "tt_axis"], ["tt_scale3"], name="tt_unsq_scale"),
        helper.make_node("Unsqueeze", ["tt_offset", "tt_axis"], ["tt_offset3"], name="tt_unsq_offset"),
        helper.make_node("Mul", ["tt_codes_f", "tt_scale3"], ["tt_scaled"], name="tt_mul"),
        helper.make_node("Add", ["tt_scaled", "tt_offset3"], [ln_out], name="tt_add"),
    ]
    before = [n for n in g.node[:first] if n not in drop]
    after = [n for n in keep if n not in before]
    del g.node[:]
    g.node.extend(before + new + after)
    g.initializer.extend([
        numpy_helper.from_array(codes, TABLE),
        numpy_helper.from_array(scale.astype(np.float32), "token_ln_scale"),
        numpy_helper.from_array(lo.astype(np.float32), "token_ln_offset"),
        numpy_helper.from_array(np.array([2], np.int64), "tt_axis"),
    ])
    more, dead = prune(g)  # nodes whose outputs nothing reads any more, unused weights
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    print(f"{dst}: {len(drop) + more} nodes replaced by a lookup; {dead} unused weights dropped")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
