"""Times Python jieba's segmentation alone (jieba.lcut) over the same comments as
benches/text_pipeline.rs: the `text` fields of a JSONL file, cycled to N comments.

Usage: python benches/jieba_baseline.py FILE.jsonl N   -> prints one JSON line with comments/s
"""
import itertools
import json
import sys
import time

import jieba


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        base = [json.loads(line).get("text") for line in f if line.strip()]
    texts = list(itertools.islice(itertools.cycle([t for t in base if isinstance(t, str)]), n))
    jieba.setLogLevel(60)
    jieba.initialize()  # load the dictionary outside the timed region
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for t in texts:
            jieba.lcut(t)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"comments": n, "seconds": best, "comments_per_s": n / best}))


if __name__ == "__main__":
    main()
