"""fankui.detect_issues: same issues as `fankui issues`, state files, errors."""
import json
import subprocess

import pytest

import fankui
from conftest import EXAMPLES, TINY_MODEL


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_detect_issues_matches_the_cli(cli, default_analyzer, tmp_path):
    records = read_jsonl(EXAMPLES)
    issues = fankui.detect_issues(records, group_fields=("store", "region"), analyzer=default_analyzer)
    out = subprocess.run([cli, "issues", EXAMPLES, "--group-field", "store", "--group-field", "region", "--quiet"],
                         capture_output=True, check=True)
    cli_issues = [json.loads(l) for l in out.stdout.decode("utf-8").splitlines()]
    assert [i["id"] for i in issues] == [i["id"] for i in cli_issues]
    assert [i["name"] for i in issues] == [i["name"] for i in cli_issues]
    for issue in issues:
        assert {"id", "name", "keywords", "kind", "severity", "start", "end", "count", "expected", "score",
                "groups", "record_ids", "examples"} <= set(issue)
        assert issue["kind"] in ("complaint", "praise")
        assert issue["severity"] in ("red", "yellow", "green")


def test_state_file_round_trip_and_refusal(tmp_path):
    tiny = fankui.Analyzer(model=TINY_MODEL)
    records = read_jsonl(EXAMPLES)
    state = str(tmp_path / "issues.state")
    tiny.detect_issues(records, state=state)
    again = tiny.detect_issues(records, state=state)  # everything already processed: nothing new
    assert again == []
    other = fankui.Analyzer(scoring=True)  # the bundled model: another fingerprint
    with pytest.raises(fankui.StateError):
        other.detect_issues(records, state=state)


def test_records_with_bad_times_are_skipped_not_fatal():
    tiny = fankui.Analyzer(model=TINY_MODEL)
    with pytest.warns(fankui.SkippedRecordsWarning):
        issues = tiny.detect_issues([{"id": "x", "time": "yesterday", "text": "薯条有股怪味", "store": "S1"}])
    assert issues == []
    assert [e["id"] for e in issues.errors] == ["x"]  # skipped, but not silently (test_robustness.py has more)
