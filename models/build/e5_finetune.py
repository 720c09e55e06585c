"""Fine-tunes the top layers of multilingual-e5-small (e5_weights.py) on fankui's training text,
for the accurate model (JAX on the CPU; `jax`, `optax` from PyPI, build time only).

The lower layers stay frozen and run once: their output for every training text is cached, so
an epoch costs only the trained layers. Two temporary heads sit on the mean-pooled, L2-normalised
embedding while training (a sentiment softmax and topic sigmoids, both linear, so the encoder
must make what they need linearly separable) and are thrown away: accurate.py then fits the
shipped heads on the new encoder's features as usual (`accurate.py --finetuned FILE`). The loss
has an L2 penalty towards the pretrained weights (L2-SP), as finetune.py does for USE.

Training data: the samples of accurate.py / train_heads.py (heads.build_samples: written
restaurant sentences of models/build/data, the hand-labelled units of **train** shops of
../shared/data/real, labels joined at build time; Meituan reviews of train shops by their
stars) with a sample of the voice-style copies, of the star-labelled reviews and of the public
sentences of ../shared/data. Never real_dev (dev shops) or val_restaurant.

    python e5_finetune.py [--layers 4] [--epochs 2] [--lr 1e-4] [--out work/e5_ft.npz]

Writes the trained layers' tensors under e5_weights.py's names ([out, in] matrices).
"""

import argparse
import random
import time

import numpy as np

import common
import e5_weights
import finetune
import heads
import real_data

MAX_T = 64  # training truncates longer texts (the runtime reads up to 256 tokens)
LAYER_KEYS = ("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b",
              "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b")


def make_layer(cfg):
    import jax
    import jax.numpy as jnp
    H, NH, eps = cfg["hidden"], cfg["heads"], cfg["eps"]
    hd = H // NH

    def ln(x, g, b):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / jnp.sqrt(var + eps) * g + b

    def layer(p, x, bias):
        """One BERT layer, as e5_graph.encoder builds it; p: LAYER_KEYS -> arrays."""
        B, T, _ = x.shape
        lin = lambda y, k: y @ p[k + ".w"].T + p[k + ".b"]  # noqa: E731
        split = lambda y: y.reshape(B, T, NH, hd).transpose(0, 2, 1, 3)  # noqa: E731
        q, k, v = split(lin(x, "q")), split(lin(x, "k")), split(lin(x, "v"))
        att = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias, axis=-1)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
        x = ln(x + lin(ctx, "ao"), p["aln.w"], p["aln.b"])
        mid = lin(x, "fi")
        mid = 0.5 * mid * (1 + jax.lax.erf(mid / np.sqrt(2)))
        return ln(x + lin(mid, "fo"), p["oln.w"], p["oln.b"])

    def embed(t, ids):
        x = t["emb.word"][ids] + t["emb.pos"][: ids.shape[1]] + t["emb.type"][0]
        return ln(x, t["emb.ln.w"], t["emb.ln.b"])

    return layer, embed


def pooled(x, m):
    import jax.numpy as jnp
    e = (x * m[..., None]).sum(1) / jnp.maximum(m.sum(1, keepdims=True), 1)
    return e / jnp.maximum(jnp.linalg.norm(e, axis=-1, keepdims=True), 1e-12)


def bias_of(m):
    return ((1 - m) * -1e4)[:, None, None, :]


def pad_len(n):
    return min(MAX_T, max(8, -(-n // 8) * 8))


def check(w, keep, tok, trained, run, n=100):
    """e5_graph's float32 ONNX graph with the trained tensors vs the JAX forward (`run`: ids ->
    embedding) on validation sentences never trained on: the graph must compute what was
    trained."""
    import tempfile

    import onnx

    import e5_graph
    import encoder
    texts = [common.normalize(r["text"]) for r in common.load_restaurant_val()][:n]
    ids = [i for i in (e.ids for e in tok.encode_batch(texts)) if len(i) <= MAX_T]
    model, _ = e5_graph.build(e5_weights.with_tensors(w, trained), keep, spans=False)
    with tempfile.TemporaryDirectory() as d:
        onnx.save(model, f"{d}/e5.onnx")
        tok.save(f"{d}/tokenizer.json")
        ref = encoder.Encoder(f"{d}/e5.onnx", f"{d}/tokenizer.json").run_ids(ids, batch=1)
    cos = (np.stack([run(i) for i in ids]) * ref["embedding"]).sum(1)
    print(f"ONNX graph vs JAX forward on {len(ids)} validation sentences: embedding cosine "
          f"mean {cos.mean():.6f}, min {cos.min():.6f}", flush=True)
    assert cos.min() > 0.9999, "the ONNX graph does not compute what was trained"


def pick_samples(samples, rng, voice, stars, public):
    by = {k: [s for s in samples if s["kind"] == k] for k in {s["kind"] for s in samples}}
    take = lambda k, n: rng.sample(by.get(k, []), min(n, len(by.get(k, []))))  # noqa: E731
    return by["rest"] + take("rest_voice", voice) + take("stars", stars) + take("public", public)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=4, help="top layers trained")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--l2sp", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--voice", type=int, default=5000, help="voice-style copies sampled")
    ap.add_argument("--stars", type=int, default=8000, help="star-labelled reviews sampled")
    ap.add_argument("--public", type=int, default=5000, help="public sentences sampled")
    ap.add_argument("--out", default=f"{common.WORK}/e5_ft.npz")
    ap.add_argument("--check-only", action="store_true",
                    help="only compare the ONNX graph with the JAX forward for the weights in --out")
    args = ap.parse_args()

    import jax
    import jax.numpy as jnp
    import optax

    t0 = time.time()
    log = lambda *a: print(f"[{time.time() - t0:5.0f}s]", *a, flush=True)  # noqa: E731
    rng = random.Random(common.SEED)
    w = e5_weights.load()
    c, t = w["config"], w["tensors"]
    cfg = heads.Config()
    rest = common.load_restaurant_train() + real_data.train_rows()
    samples = heads.build_samples(rest, cfg, star_rows=real_data.meituan_star_set("train"))
    # the same vocabulary as accurate.py (pruned over all its samples)
    keep, tok = e5_weights.prune(w, [s["text"] for s in samples])
    samples = pick_samples(samples, rng, args.voice, args.stars, args.public)
    ids = [e.ids[:MAX_T] for e in tok.encode_batch([s["text"] for s in samples])]
    ys, ws, yt, wt = finetune.targets(samples)
    log(f"samples: {len(samples)} ({sum(s['kind'] == 'public' for s in samples)} public, "
        f"{sum(s['kind'] == 'stars' for s in samples)} stars, {int((wt > 0).sum())} with topics);"
        f" avg {np.mean([len(i) for i in ids]):.1f} tokens")

    layer, embed = make_layer(c)
    NL = c["layers"]
    first = NL - args.layers
    emb = {k: jnp.asarray(t[k]) for k in ("emb.pos", "emb.type", "emb.ln.w", "emb.ln.b")}
    emb["emb.word"] = jnp.asarray(t["emb.word"][keep])
    frozen = [{k: jnp.asarray(t[f"l{l}.{k}"]) for k in LAYER_KEYS} for l in range(first)]

    @jax.jit
    def lower(a, m):
        x, b = embed(emb, a), bias_of(m)
        for p in frozen:
            x = layer(p, x, b)
        return x

    def pad(lists):
        a = np.full((len(lists), pad_len(max(map(len, lists)))), c["pad"], np.int64)
        m = np.zeros(a.shape, np.float32)
        for r, i in enumerate(lists):
            a[r, :len(i)] = i
            m[r, :len(i)] = 1
        return a, m

    names = [f"l{l}.{k}" for l in range(first, NL) for k in LAYER_KEYS]

    def forward(p, x, m):
        b = bias_of(m)
        for l in range(first, NL):
            x = layer({k: p[f"l{l}.{k}"] for k in LAYER_KEYS}, x, b)
        return pooled(x, m)

    def embedding(p, i):
        a, m = pad([i])
        return np.asarray(forward(p, lower(a, m), m))[0]

    if args.check_only:
        with np.load(args.out) as z:
            check(w, keep, tok, {n: z[n] for n in names}, lambda i: embedding(z, i))
        return

    # the frozen layers' output, once: float16, one [tokens, H] array per sample
    cache = [None] * len(samples)
    order = sorted(range(len(samples)), key=lambda i: len(ids[i]))
    for s in range(0, len(order), 64):
        idx = order[s:s + 64]
        a, m = pad([ids[i] for i in idx])
        x = np.asarray(lower(a, m)).astype(np.float16)
        for r, i in enumerate(idx):
            cache[i] = x[r, :len(ids[i])]
        if (s // 64) % 100 == 0:
            log(f"  frozen layers: {s + len(idx)}/{len(samples)}")
    log("frozen layers cached")

    p0 = {n: jnp.asarray(t[n]) for n in names}
    key = jax.random.PRNGKey(common.SEED)
    H = c["hidden"]
    hp = {"Ws": jnp.zeros((H, 3)), "bs": jnp.zeros(3),
          "Wt": jax.random.normal(key, (H, 14)) * 0.01, "bt": jnp.full(14, -3.0)}

    def loss_fn(p, h, x, m, ys, ws, yt, wt):
        e = forward(p, x, m) * 10
        ls = optax.softmax_cross_entropy_with_integer_labels(e @ h["Ws"] + h["bs"], ys)
        lt = optax.sigmoid_binary_cross_entropy(e @ h["Wt"] + h["bt"], yt).sum(-1)
        reg = sum(((p[k] - p0[k]) ** 2).sum() for k in p)  # L2-SP
        return (ls * ws).mean() + (lt * wt).mean() + args.l2sp * reg, ((ls * ws).mean(),
                                                                       (lt * wt).mean())

    steps_per_epoch = -(-len(samples) // args.batch)
    total = int(steps_per_epoch * args.epochs)
    warm = min(300, total // 5)  # heads alone first
    opt_h, opt_p = optax.adam(1e-2), optax.adam(
        optax.warmup_cosine_decay_schedule(0.0, args.lr, max(1, total // 20), total))
    st_h, st_p = opt_h.init(hp), opt_p.init(p0)
    p = dict(p0)

    @jax.jit
    def step_heads(p, h, st_h, *f):
        (_, aux), g = jax.value_and_grad(lambda h_: loss_fn(p, h_, *f), has_aux=True)(h)
        u, st_h = opt_h.update(g, st_h, h)
        return optax.apply_updates(h, u), st_h, aux

    @jax.jit
    def step_all(p, h, st_p, st_h, *f):
        (_, aux), (gp, gh) = jax.value_and_grad(lambda p_, h_: loss_fn(p_, h_, *f),
                                                argnums=(0, 1), has_aux=True)(p, h)
        u, st_p = opt_p.update(gp, st_p, p)
        uh, st_h = opt_h.update(gh, st_h, h)
        return optax.apply_updates(p, u), optax.apply_updates(h, uh), st_p, st_h, aux

    def feed(idx):
        T = pad_len(max(len(ids[i]) for i in idx))
        x = np.zeros((len(idx), T, H), np.float32)
        m = np.zeros((len(idx), T), np.float32)
        for r, i in enumerate(idx):
            x[r, :len(ids[i])] = cache[i]
            m[r, :len(ids[i])] = 1
        return x, m, ys[idx], ws[idx], yt[idx], wt[idx]

    lengths = [len(i) for i in ids]
    step, run = 0, []
    while step < warm + total:
        for idx in finetune.batches(len(lengths), lengths, args.batch, rng):
            if step >= warm + total:
                break
            f = feed(idx)
            if step < warm:
                hp, st_h, aux = step_heads(p, hp, st_h, *f)
            else:
                p, hp, st_p, st_h, aux = step_all(p, hp, st_p, st_h, *f)
            run.append([float(a) for a in aux])
            step += 1
            if step % 200 == 0:
                ls, lt = np.mean(run[-200:], axis=0)
                log(f"step {step}/{warm + total} ({'heads' if step <= warm else 'all'}): "
                    f"sentiment loss {ls:.4f}, topic loss {lt:.4f}")
    drift = {n: float(np.linalg.norm(np.asarray(p[n]) - t[n]) / (np.linalg.norm(t[n]) + 1e-9))
             for n in names if n.endswith(".w")}
    log("relative weight change: " + ", ".join(f"{k} {v:.3f}" for k, v in drift.items()))
    np.savez(args.out, **{n: np.asarray(p[n], np.float32) for n in names})
    log(f"wrote {args.out}")
    check(w, keep, tok, {n: np.asarray(p[n]) for n in names}, lambda i: embedding(p, i))


if __name__ == "__main__":
    main()
