"""Moves the encoder's first n-gram layer out of model.onnx, into `first_layer.bin` (a rewrite).

After token_table.py the input of the three n-gram branches depends on the token id only:
x[t] = a row of the token table. The first layer of branch (n, left) is

    h[t] = relu(sum over k < n of x[t - left + k] @ W_k + b) + x[t]      (x = 0 past both ends)

and each term x[id] @ W_k depends on one token id. fankui computes that term once per id it
meets (and keeps it), so the layer costs a few additions per token instead of an int8 matrix
product over a window of n tokens: with ONNX Runtime the three first layers, with the
quantisation of their input and their windows, took about 30 % of the model's time.

This script writes the token table and the first layers' weights to `first_layer.bin` beside
the model and rewrites the graph: the branches read their first layer's output from a new input
`first_layer` float32 [batch, seq, 768], in the encoder's token order (after <unk> fusion,
which fankui does too; see src/model/first_layer.rs), zero at padding. The table, the weights
and every later node keep their values: only the first layers' products, which the graph took
in int8 on a per-sentence scale of their input, are now taken in float32.

Usage: first_layer.py MODEL_IN_DIR MODEL_OUT_DIR    (copies tokenizer.json and labels.json)

File format (little-endian): b"FKFL", u32 version (1), u32 header length, a JSON header
{"vocab": V (the encoder's base vocabulary), "dim": 768, "block": 256,
 "branches": [{"n", "left", "start"}]}, then the arrays: token codes u8 [V, dim], token scale
f32 [V], token offset f32 [V], and for each branch W f32 [n * block, block] (row k * block + i:
offset k, input i), b f32 [block].
"""
import json
import os
import shutil
import struct
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

import common
from onnx_util import prune
from token_table import TABLE as TOKEN_TABLE

INPUT = "first_layer"
FILE = "first_layer.bin"
BLOCK = 256


def init(g, name):
    return numpy_helper.to_array([i for i in g.initializer if i.name == name][0])


def find_branches(g):
    """[(start, W f32 [n*256, 256], b [256], h tensor name, n, left)] of the three branches."""
    prod = {o: n for n in g.node for o in n.output}
    cons = {}
    for n in g.node:
        for i in n.input:
            cons.setdefault(i, []).append(n)
    names = {i.name for i in g.initializer}
    tt_add = [n for n in g.node if n.name == "tt_add"]
    if not tt_add:
        raise SystemExit("no token table: run token_table.py first")
    masked = [n for n in cons[tt_add[0].output[0]] if n.op_type == "Mul"]
    if len(masked) != 1:
        raise SystemExit("no single masking Mul after the token table")
    x = masked[0].output[0]
    out = []
    for sl in (n for n in cons[x] if n.op_type == "Slice"):
        start = int(init(g, sl.input[1])[0])
        node, pad = sl, None
        while node.op_type != "MatMulInteger":  # quantise -> pad -> window slices -> concat
            nxt = cons[node.output[0]]
            if node.op_type == "Pad":
                pad = init(g, node.input[1])
            node = next((n for n in nxt if n.op_type in
                         ("QuantizeLinear", "Pad", "Concat", "MatMulInteger")), nxt[0])
        cast = cons[node.output[0]][0]
        mul = cons[cast.output[0]][0]
        scale_mul = prod[[i for i in mul.input if i != cast.output[0]][0]]
        sw = next(init(g, i) for i in scale_mul.input if i in names)
        w = init(g, node.input[1]).astype(np.float32) * sw.reshape(1, -1)
        chain = [mul]
        for op in ("Add", "Relu", "Add", "Mul"):  # + b, relu, + x, * mask
            nxt = [n for n in cons[chain[-1].output[0]] if n.op_type == op]
            if len(nxt) != 1:
                raise SystemExit(f"unexpected graph after the first layer of branch {start}")
            chain.append(nxt[0])
        b = next(init(g, i) for i in chain[1].input if i in names).reshape(-1)
        out.append((start, w, b.astype(np.float32), chain[-1].output[0], w.shape[0] // BLOCK,
                    int(pad[1])))
    out.sort(key=lambda r: r[0])
    return out


def read_file(path):
    """(header, token codes, scale, offset, [(start, n, left, W, b)]) of a first_layer.bin."""
    raw = open(path, "rb").read()
    if raw[:4] != b"FKFL":
        raise SystemExit(f"{path}: not a first-layer file")
    version, hlen = struct.unpack("<II", raw[4:12])
    if version != 1:
        raise SystemExit(f"{path}: version {version}, expected 1")
    h = json.loads(raw[12:12 + hlen])
    at = 12 + hlen

    def take(dtype, n):
        nonlocal at
        a = np.frombuffer(raw, dtype, n, at)
        at += a.nbytes
        return a

    v, d, bl = h["vocab"], h["dim"], h["block"]
    codes = take(np.uint8, v * d).reshape(v, d)
    scale, offset = take("<f4", v), take("<f4", v)
    branches = []
    for b in h["branches"]:
        w = take("<f4", b["n"] * bl * bl).reshape(b["n"] * bl, bl)
        branches.append((b["start"], b["n"], b["left"], w, take("<f4", bl)))
    if at != len(raw):
        raise SystemExit(f"{path}: {len(raw) - at} bytes past the last array")
    return h, codes, scale, offset, branches


def unk_fused(ids, mask, vocab):
    """The encoder's ids and mask after <unk> fusion (common.encoder_ids), per row."""
    enc, enc_mask = np.zeros_like(ids), np.zeros_like(mask)
    for r in range(ids.shape[0]):
        k = common.encoder_ids(ids[r][mask[r].astype(bool)].tolist(), vocab)
        enc[r, :len(k)] = k
        enc_mask[r, :len(k)] = 1
    return enc, enc_mask


def first_layer_input(layer, ids, mask):
    """The graph input `first_layer` [B, T, dim] for ids / mask [B, T] (numpy reference of
    src/model/first_layer.rs)."""
    h, codes, scale, offset, branches = layer
    enc, m = unk_fused(ids, mask, h["vocab"])
    x = (codes[enc].astype(np.float32) * scale[enc][..., None] + offset[enc][..., None]) * m[..., None]
    T, bl = ids.shape[1], h["block"]
    out = np.zeros(x.shape, np.float32)
    for start, n, left, w, b in branches:
        xs = x[:, :, start:start + bl]
        acc = np.zeros(xs.shape, np.float32)
        for k in range(n):
            y = xs @ w[k * bl:(k + 1) * bl]  # row p: x[p] @ W_k, which output row p - k + left reads
            s = k - left
            if s >= 0:
                acc[:, :T - s] += y[:, s:]
            else:
                acc[:, -s:] += y[:, :T + s]
        out[:, :, start:start + bl] = (np.maximum(acc + b, 0) + xs) * m[..., None]
    return out


def write_file(path, codes, scale, offset, branches):
    header = {"vocab": int(codes.shape[0]), "dim": int(codes.shape[1]), "block": BLOCK,
              "branches": [{"n": n, "left": left, "start": start}
                           for start, _, _, _, n, left in branches]}
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(b"FKFL" + struct.pack("<II", 1, len(h)) + h)
        f.write(np.ascontiguousarray(codes, np.uint8).tobytes())
        f.write(np.ascontiguousarray(scale, "<f4").tobytes())
        f.write(np.ascontiguousarray(offset, "<f4").tobytes())
        for _, w, b, _, _, _ in branches:
            f.write(np.ascontiguousarray(w, "<f4").tobytes())
            f.write(np.ascontiguousarray(b, "<f4").tobytes())


def main(src_dir, dst_dir):
    m = onnx.load(os.path.join(src_dir, "model.onnx"))
    g = m.graph
    if any(i.name == INPUT for i in g.input):
        if os.path.abspath(src_dir) != os.path.abspath(dst_dir):
            for name in ("model.onnx", FILE, "tokenizer.json", "labels.json"):
                shutil.copy(os.path.join(src_dir, name), os.path.join(dst_dir, name))
        print(f"{src_dir}: the first layer is already outside the graph; copied")
        return
    branches = find_branches(g)
    if os.path.abspath(src_dir) == os.path.abspath(dst_dir):  # in place: keep the original to check
        import tempfile
        orig = tempfile.mkdtemp()
        for name in ("model.onnx", "tokenizer.json"):
            shutil.copy(os.path.join(src_dir, name), os.path.join(orig, name))
    else:
        orig = src_dir
    codes, scale, offset = init(g, TOKEN_TABLE), init(g, "token_ln_scale"), init(g, "token_ln_offset")
    os.makedirs(dst_dir, exist_ok=True)
    write_file(os.path.join(dst_dir, FILE), codes, scale, offset, branches)
    dim = codes.shape[1]
    g.input.append(helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["batch", "seq", dim]))
    outs = {h: start for start, _, _, h, _, _ in branches}
    kept = [n for n in g.node if not any(o in outs for o in n.output)]
    new = []
    for h, start in outs.items():
        s, e = f"fl_start_{start}", f"fl_end_{start}"
        g.initializer.extend([numpy_helper.from_array(np.array([start], np.int64), s),
                              numpy_helper.from_array(np.array([start + BLOCK], np.int64), e)])
        new.append(helper.make_node("Slice", [INPUT, s, e, "fl_axis"], [h], name=f"fl_slice_{start}"))
    g.initializer.append(numpy_helper.from_array(np.array([2], np.int64), "fl_axis"))
    del g.node[:]
    g.node.extend(new + kept)
    dropped, _ = prune(g)
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(dst_dir, "model.onnx"))
    for name in ("tokenizer.json", "labels.json"):
        if os.path.abspath(src_dir) != os.path.abspath(dst_dir):
            shutil.copy(os.path.join(src_dir, name), os.path.join(dst_dir, name))
    check(orig, dst_dir)
    if orig != src_dir:
        shutil.rmtree(orig)
    print(f"{dst_dir}: first layers moved to {FILE} ({len(branches)} branches, {dropped} nodes "
          f"dropped)")


def check(src_dir, dst_dir):
    """The rewritten model (fed by first_layer_input) against the original on the parity texts."""
    import encoder
    texts = encoder.parity_texts()
    a = encoder.Encoder(os.path.join(src_dir, "model.onnx"), os.path.join(src_dir, "tokenizer.json"))
    b = encoder.Encoder(os.path.join(dst_dir, "model.onnx"), os.path.join(dst_dir, "tokenizer.json"))
    ra, rb = a.run(texts), b.run(texts)
    cos = (ra["embedding"] * rb["embedding"]).sum(axis=1)
    ds = np.abs(ra["sentiment"] - rb["sentiment"]).max(axis=1)
    dt = np.abs(ra["topics"] - rb["topics"]).max(axis=1)
    print(f"parity on {len(texts)} texts: embedding cosine mean {cos.mean():.6f} min {cos.min():.6f}; "
          f"max |sentiment diff| mean {ds.mean():.4f} max {ds.max():.4f}; "
          f"max |topic diff| mean {dt.mean():.4f} max {dt.max():.4f}")
    if cos.min() < 0.995 or ds.max() > 0.1:
        raise SystemExit("the rewritten model does not match the original")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
