"""The documented PySpark example (examples/pyspark_score.py) in local mode."""
import json
import os
import shutil
import sys

import pytest

from conftest import EXAMPLES, ROOT, TINY_MODEL

if shutil.which("java") is None:
    pytest.skip("Java is not installed: the PySpark example needs a JVM (apt-get install default-jre)", allow_module_level=True)


def test_pyspark_mapinpandas_scores_every_record(monkeypatch):
    pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by scripts/setup.sh")
    from pyspark.sql import SparkSession

    monkeypatch.syspath_prepend(os.path.join(ROOT, "examples"))
    import pyspark_score

    # Executors inherit the environment: point them at the small test model to keep this quick.
    monkeypatch.setenv("FANKUI_MODEL_DIR", TINY_MODEL)
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]").appName("fankui-test")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.executorEnv.FANKUI_MODEL_DIR", TINY_MODEL)
        .getOrCreate()
    )
    try:
        rows = pyspark_score.score(spark, EXAMPLES).collect()
    finally:
        spark.stop()
    records = [json.loads(line) for line in open(EXAMPLES, encoding="utf-8") if line.strip()]
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in records)
    # Each executor's Analyzer (the tiny model, via the environment) gives what the same Analyzer gives
    # locally, voice transcripts included.
    import fankui

    local = {r["id"]: r for r in fankui.Analyzer(model=TINY_MODEL).score_records(records)}
    by_id = {r["id"]: r for r in rows}
    for rid, want in local.items():
        got = by_id[rid]
        if "sentiment" in want:
            assert got["sentiment"] == want["sentiment"]["label"], rid
            assert abs(got["sentiment_score"] - want["sentiment"]["score"]) < 1e-5, rid
        else:
            assert got["sentiment"] is None, rid
        assert list(got["topics"]) == [t["label"] for t in want.get("topics", [])], rid
        assert list(got["keywords"]) == want.get("keywords", []), rid
    assert any(r["quality_ok"] is False for r in rows)
