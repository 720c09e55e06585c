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


def cli_score(cli, path, *args):
    """`fankui score` output rows (exit status 2 means some records were error lines)."""
    out = subprocess.run([cli, "score", path, "--quiet", *args], capture_output=True)
    assert out.returncode in (0, 2), out.stderr.decode("utf-8", "replace")
    return [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]


@pytest.mark.parametrize("model", ["tiny", "bundled"])
def test_score_records_equals_cli_output(cli, tiny, default_analyzer, model):
    """Same records, same model: the very same output, field for field and bit for bit."""
    analyzer, args = (tiny, ["--model", TINY_MODEL]) if model == "tiny" else (default_analyzer, [])
    cli_rows = cli_score(cli, EXAMPLES, *args)
    py_rows = analyzer.score_records(read_jsonl(EXAMPLES))
    assert len(py_rows) == len(cli_rows) == 300
    assert any(r.get("source") == "voice" for r in py_rows)  # the voice records took the voice path
    for a, b in zip(py_rows, cli_rows):
        assert a == b


def test_score_equals_cli_analysis(cli, default_analyzer, tmp_path):
    """Analyzer.score on plain texts gives the CLI's analysis fields (everything but the record's own)."""
    texts = [r["text"] for r in read_jsonl(EXAMPLES)][:120] + ["", "   ", "好吃", "嗯嗯嗯", "薯條有股怪味！！！电话13812345678"]
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    cli_rows = cli_score(cli, str(path))
    for row in cli_rows:
        del row["id"]
    assert default_analyzer.score(texts) == cli_rows


def test_bad_records_give_the_cli_error_lines(cli, tmp_path):
    """Per-record errors (missing/null/non-string text, over-long text) read as the CLI's error lines."""
    records = [
        {"id": "a", "text": "好" * 60},
        {"id": "b"},
        {"id": "c", "text": None},
        {"id": "d", "text": 42},
        {"id": "e", "text": ["x"]},
        {"id": "f", "text": True},
        {"id": "g", "text": {"x": 1}},
        {"text": "好吃", "store": "S1"},
        {"id": None, "text": "嗯嗯 就是 薯条 凉了", "source": "ASR"},
        {"id": 7, "text": "", "source": "voice"},
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"max_chars": 50}), encoding="utf-8")
    cli_rows = cli_score(cli, str(path), "--model", TINY_MODEL, "--config", str(config))
    py_rows = fankui.Analyzer(model=TINY_MODEL, config={"max_chars": 50}).score_records(records)
    assert py_rows == cli_rows
    assert "too long" in py_rows[0]["error"] and py_rows[7]["id"] == 8


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
    # A non-string item is an error row in its place (one output per input), not an exception.
    assert tiny.score(["ok", 42])[1] == {"error": "text 1 is int, not a string"}
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


def ten_thousand_texts():
    base = [r["text"] for r in read_jsonl(EXAMPLES)]
    return [f"{t}{i % 13}" if i % 3 else t for i, t in enumerate((base * 34)[:10_000])]


def test_threads_give_the_same_results_as_sequential(tiny):
    """10,000 texts: 4 Python threads scoring their own quarter at once, in calls of 500, give exactly
    what sequential calls give, each result in its own caller's slot (no mixing between calls)."""
    texts = ten_thousand_texts()
    quarters = [texts[k * 2500:(k + 1) * 2500] for k in range(4)]
    calls = [[q[i:i + 500] for i in range(0, len(q), 500)] for q in quarters]
    expected = [[tiny.score(c) for c in cs] for cs in calls]
    results = [None] * 4
    errors = []
    barrier = threading.Barrier(4)

    def work(k):
        try:
            barrier.wait()
            results[k] = [tiny.score(c) for c in calls[k]]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == expected
    # And one 10,000-text call from each of the 4 threads at once equals one sequential call.
    whole = tiny.score(texts)
    assert sum(len(r) for rs in expected for r in rs) == len(whole) == 10_000
    out = [None] * 4

    def whole_work(k):
        barrier.wait()
        out[k] = tiny.score(texts)

    threads = [threading.Thread(target=whole_work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o == whole for o in out)


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
    assert clone.score(["好吃", "薯条凉了，汉堡还行"]) == tiny.score(["好吃", "薯条凉了，汉堡还行"])


def test_pickle_rebuilds_from_arguments_in_another_process(tmp_path):
    """What Spark does: unpickle in another Python process; the arguments travel, not resolved paths."""
    a = fankui.Analyzer(model=TINY_MODEL, threads=2, voice=True, custom_topics={"新品反馈": ["新出的鸡腿堡", "新品好吃吗"]},
                        config={"max_chars": 300})
    texts = ["嗯 那个 新出的鸡腿堡 挺好吃的", "好" * 301]
    blob = tmp_path / "analyzer.pickle"
    blob.write_bytes(pickle.dumps(a))
    code = ("import json, pickle, sys\n"
            "a = pickle.load(open(sys.argv[1], 'rb'))\n"
            "print(json.dumps({'config': a.config, 'rows': a.score(json.loads(sys.argv[2]))}))\n")
    out = subprocess.run([sys.executable, "-c", code, str(blob), json.dumps(texts)], capture_output=True, text=True,
                         cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["config"] == a.config
    assert got["rows"] == a.score(texts)
    assert got["rows"][0]["source"] == "voice" and "too long" in got["rows"][1]["error"]
    assert "新品反馈" in got["config"]["classify"]["custom_topics"]
    # Defaults are not frozen into the pickle: the bundled model is found again where it is unpickled.
    state = fankui.Analyzer.__getstate__(pickle.loads(pickle.dumps(fankui.Analyzer(scoring=False))))
    assert state["args"]["model"] is None
    assert fankui.bundled_model_dir() not in pickle.dumps(fankui.Analyzer(scoring=False)).decode("latin-1")


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


def test_the_accurate_model_by_name():
    """model="accurate" selects the bundled e5 model (in a source build; the wheel carries the
    default model only), and a name that is no model is a ModelError."""
    a = fankui.Analyzer(model="accurate")
    [row] = a.score(["味道很好，但是服务员态度很差"])
    assert [c["sentiment"]["label"] for c in row["clauses"]] == ["positive", "negative"]
    assert a.embed(["好吃"]).shape == (1, 384)
    with pytest.raises(fankui.ModelError):
        fankui.Analyzer(model="no-such-model").score(["好吃"])
