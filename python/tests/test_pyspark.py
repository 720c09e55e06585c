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

    sys.path.insert(0, os.path.join(ROOT, "examples"))
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
    with open(EXAMPLES, encoding="utf-8") as f:
        ids = [json.loads(line)["id"] for line in f if line.strip()]
    assert sorted(r["id"] for r in rows) == sorted(ids)
    by_id = {r["id"]: r for r in rows}
    assert all(r["sentiment"] in ("negative", "neutral", "positive", None) for r in rows)
    assert any(r["quality_ok"] is False for r in rows)
    assert all(r["text"] is not None for r in by_id.values())
