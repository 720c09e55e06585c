"""Score a large dataset with PySpark: one fankui.Analyzer per executor process.

    spark-submit examples/pyspark_score.py INPUT.jsonl OUTPUT_DIR
    python examples/pyspark_score.py examples/feedback.jsonl /tmp/scored   # local mode

Each executor's Python worker builds one Analyzer the first time it needs it and
keeps it for every later partition (Spark reuses Python workers), so the model is
loaded once per process, not once per row or partition. `mapInPandas` hands the
rows over in Arrow batches; the Analyzer scores a batch in parallel in Rust with
the GIL released.
"""
import os
import sys

_ANALYZER = None


def analyzer():
    """The process's one Analyzer."""
    global _ANALYZER
    if _ANALYZER is None:
        import fankui

        _ANALYZER = fankui.Analyzer(threads=1)  # Spark already runs one task per core
    return _ANALYZER


SCHEMA = (
    "id string, store string, text string, sentiment string, sentiment_score double, "
    "topics array<string>, quality_ok boolean, quality_flags array<string>, keywords array<string>"
)


def score_batches(batches):
    """mapInPandas function: pandas DataFrames in, scored DataFrames out."""
    for pdf in batches:
        scored = analyzer().score_frame(pdf, text_column="text")
        out = scored[["id", "store", "sentiment", "sentiment_score", "topics", "quality_ok", "quality_flags", "keywords"]].copy()
        out["text"] = [r for r in scored["text"]]
        out["id"] = out["id"].astype(str)
        out["store"] = out["store"].astype(str)
        yield out[["id", "store", "text", "sentiment", "sentiment_score", "topics", "quality_ok", "quality_flags", "keywords"]]


def score(spark, input_path):
    """The scored DataFrame of a JSONL file with `id`, `store`, `text` and optionally `source`
    (records whose source is `voice` are scored as voice transcripts, as by `fankui score`)."""
    if __name__ != "__main__":
        # Imported (from a notebook, a test or another job): Spark pickles score_batches by
        # reference to this module, so the executors' Python workers need the file too.
        spark.sparkContext.addPyFile(os.path.abspath(__file__))
    df = spark.read.json(input_path)
    df = df.select(*[c for c in ("id", "store", "text", "source") if c in df.columns])
    return df.mapInPandas(score_batches, schema=SCHEMA)


def main(argv):
    from pyspark.sql import SparkSession

    input_path, output_dir = argv[1], argv[2]
    spark = SparkSession.builder.appName("fankui-score").master("local[2]").getOrCreate()
    try:
        score(spark, input_path).write.mode("overwrite").json(output_dir)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv)
