"""Builds tests/data/tiny_model: a few-KB model with fankui's model contract.

It exists to test batching, padding, ordering and the session pool without the
real model. Inputs `input_ids`, `attention_mask` (int64 [batch, seq]); outputs
`sentiment` (softmax over 3), `topics` (sigmoid over 14), `embedding` (L2-normalized
masked mean of an 8-d token embedding). Weights are seeded random numbers; the
tokenizer maps each character of a small alphabet to one id (BPE without merges).

Regenerate with:  python tests/data/make_tiny_model.py   (needs `onnx` and `numpy`)
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny_model")
TOPICS = ["taste", "quality", "temperature", "portion", "price", "delivery", "wait_time", "service",
          "hygiene", "packaging", "order_accuracy", "environment", "app", "refund"]
CHARS = list("薯条汉堡鸡腿奶茶咖啡好吃难慢快凉热贵便宜服务态度差头发虫退款小程序支付骑手送餐味道怪不很太了的是就但这个有")
DIM = 8


def main():
    os.makedirs(HERE, exist_ok=True)
    rng = np.random.default_rng(7)
    vocab = {"[PAD]": 0, "[UNK]": 1}
    for c in CHARS:
        vocab.setdefault(c, len(vocab))
    v = len(vocab)
    emb = rng.normal(size=(v, DIM)).astype(np.float32)
    emb[0] = 0.0
    ws = rng.normal(size=(DIM, 3)).astype(np.float32)
    wt = rng.normal(size=(DIM, len(TOPICS))).astype(np.float32)

    nodes = [
        helper.make_node("Gather", ["E", "input_ids"], ["tok"]),                       # [B,T,D]
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),  # [B,T]
        helper.make_node("Unsqueeze", ["maskf", "axis2"], ["mask3"]),                   # [B,T,1]
        helper.make_node("Mul", ["tok", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),     # [B,D]
        helper.make_node("ReduceSum", ["maskf", "axis1"], ["count"], keepdims=1),       # [B,1]
        helper.make_node("Max", ["count", "one"], ["count1"]),
        helper.make_node("Div", ["summed", "count1"], ["mean"]),
        helper.make_node("MatMul", ["mean", "Ws"], ["slog"]),
        helper.make_node("Softmax", ["slog"], ["sentiment"], axis=-1),
        helper.make_node("MatMul", ["mean", "Wt"], ["tlog"]),
        helper.make_node("Sigmoid", ["tlog"], ["topics"]),
        helper.make_node("ReduceL2", ["mean", "axis_last"], ["norm"], keepdims=1),
        helper.make_node("Max", ["norm", "eps"], ["norm1"]),
        helper.make_node("Div", ["mean", "norm1"], ["embedding"]),
    ]
    inits = [
        numpy_helper.from_array(emb, "E"),
        numpy_helper.from_array(ws, "Ws"),
        numpy_helper.from_array(wt, "Wt"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "axis_last"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
        numpy_helper.from_array(np.array(1e-6, dtype=np.float32), "eps"),
    ]
    graph = helper.make_graph(
        nodes, "fankui_tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("sentiment", TensorProto.FLOAT, ["batch", 3]),
         helper.make_tensor_value_info("topics", TensorProto.FLOAT, ["batch", len(TOPICS)]),
         helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="fankui-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "model.onnx"))

    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "[UNK]", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }
    with open(os.path.join(HERE, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    labels = {"name": "fankui-tiny-test", "version": "1", "sentiment": ["negative", "neutral", "positive"],
              "topics": TOPICS, "topic_thresholds": {}, "embedding_dim": DIM, "max_length": 64, "pad_id": 0}
    with open(os.path.join(HERE, "labels.json"), "w", encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
