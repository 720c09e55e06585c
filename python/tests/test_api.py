"""The Python API: same results as the CLI, documented exceptions, threads, pickling."""
import json
import os
import pickle
import subprocess
import sys
import threading

import pytest

import fankui
from conftest import EXAMPLES, ROOT, TINY_MODEL


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_score_records_equals_cli_output(cli, tiny):
    records = read_jsonl(EXAMPLES)
    out = subprocess.run([cli, "score", EXAMPLES, "--model", TINY_MODEL, "--quiet"], capture_output=True, check=True)
    cli_rows = [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]
    py_rows = tiny.score_records(records)
    assert len(py_rows) == len(cli_rows) == len(records)
    for a, b in zip(py_rows, cli_rows):
        assert a.keys() == b.keys(), (a.keys(), b.keys())
        for key in a:
            if key in ("sentiment", "topics", "clauses"):
                assert _close(a[key], b[key]), (key, a[key], b[key])
            else:
                assert a[key] == b[key], (key, a[key], b[key])


def _close(x, y, tol=1e-5):
    if isinstance(x, float) or isinstance(y, float):
        return abs(float(x) - float(y)) <= tol
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_close(x[k], y[k], tol) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(_close(a, b, tol) for a, b in zip(x, y))
    return x == y


def test_score_fields(tiny):
    [row] = tiny.score(["汉堡还可以，就是薯條味道怪怪的，电话13812345678"])
    assert "薯条" in row["text"] and "<PHONE>" in row["text"] and "13812345678" not in row["text"]
    assert len(row["clauses"]) >= 2
    assert row["quality"] == {"ok": True, "flags": []}
    assert -1.0 <= row["sentiment"]["score"] <= 1.0
    assert set(row["sentiment"]["probs"]) == {"negative", "neutral", "positive"}
    assert all({"label", "score", "sentiment"} <= set(t) for t in row["topics"])


def test_bad_input_raises_documented_exceptions(tiny):
    with pytest.raises(fankui.InputError):
        tiny.score("not a list")
    with pytest.raises(fankui.InputError):
        tiny.score(["ok", 42])
    with pytest.raises(fankui.ModelError):
        fankui.Analyzer(model="/nonexistent/model")
    with pytest.raises(fankui.ConfigError):
        fankui.Analyzer(model=TINY_MODEL, config={"max_chars": 0})
    with pytest.raises(fankui.ConfigError):
        fankui.Analyzer(model=TINY_MODEL, config={"no_such_option": 1})
    with pytest.raises(fankui.ConfigError):
        fankui.Analyzer(model=TINY_MODEL, threads=0)
    assert issubclass(fankui.RuntimeNotFound, fankui.FankuiError)
    # Over-long texts and bad records are per-item errors, like the CLI's error lines.
    rows = tiny.score_records([{"id": "a", "text": "好" * 20000}, {"id": "b"}, {"id": "c", "text": None}, {"text": "好吃"}])
    assert "too long" in rows[0]["error"]
    assert rows[1] == {"id": "b", "error": "missing field `text`"}
    assert rows[2]["id"] == "c" and "null" in rows[2]["error"]
    assert rows[3]["id"] == 4 and "error" not in rows[3]


def test_missing_runtime_is_a_clear_exception():
    code = (
        "import fankui, sys\n"
        "try:\n"
        "    fankui.Analyzer(config={'classify': {'model': {'runtime': '/nonexistent/libonnxruntime.so'}}})\n"
        "except fankui.RuntimeNotFound as e:\n"
        "    print('RuntimeNotFound:', e); sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    env = dict(os.environ, FANKUI_MODEL_DIR=TINY_MODEL)
    env.pop("ORT_DYLIB_PATH", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "/nonexistent/libonnxruntime.so" in out.stdout


def test_threads_give_the_same_results_as_sequential(tiny):
    base = [r["text"] for r in read_jsonl(EXAMPLES)]
    texts = [f"{t}{i % 13}" for i, t in enumerate((base * 40)[:10_000])]
    expected = tiny.score(texts)
    results = [None] * 4
    errors = []

    def work(k):
        try:
            results[k] = tiny.score(texts)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for r in results:
        assert len(r) == len(expected)
        assert all(_close(a, b) for a, b in zip(r, expected))


def test_gil_is_released_during_batches(tiny):
    texts = ["送餐很快，但是薯条凉了"] * 3000
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    tiny.score(texts)
    stop.set()
    t.join()
    assert len(ticks) > 5, "a Python thread kept running while Rust scored"


def test_embed_returns_float32_matrix(tiny):
    e = tiny.embed(["薯条有股怪味", "小程序付不了款", ""])
    assert e.dtype.name == "float32" and e.shape == (3, 8)


def test_analyzer_pickles_by_config(tiny):
    clone = pickle.loads(pickle.dumps(tiny))
    assert clone.config == tiny.config
    assert _close(clone.score(["好吃"]), tiny.score(["好吃"]))


def test_text_only_analyzer_needs_no_model():
    a = fankui.Analyzer(scoring=False)
    [row] = a.score(["嗯那个薯条吧味道不太对"], voice=True)
    assert "sentiment" not in row and row["source"] == "voice"
    with pytest.raises(fankui.ConfigError):
        a.embed(["x"])


def test_score_frame_adds_columns(tiny):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"comment": ["薯条有股怪味", None, "送餐很快"], "store": ["S1", "S2", "S3"]})
    out = tiny.score_frame(df, text_column="comment")
    assert list(out["store"]) == ["S1", "S2", "S3"]
    assert {"sentiment", "sentiment_score", "topics", "quality_ok", "quality_flags", "keywords"} <= set(out.columns)
    assert out["quality_ok"].tolist()[1] is False
    with pytest.raises(fankui.InputError):
        tiny.score_frame(df, text_column="nope")
