"""No input is lost or mangled silently: every bad item or record gets its own error, in its
place or in a list the caller gets back, never a batch failure or a quiet drop. One test per
defect of the hardening issue; each fails on the code before it."""
import json
import math
import warnings

import pytest

import fankui
from conftest import TINY_MODEL

T0 = "2026-10-01T10:00:00+08:00"


@pytest.fixture(scope="module")
def tiny():
    return fankui.Analyzer(model=TINY_MODEL)


def _no_warnings():
    return warnings.catch_warnings()


# --- detect_issues: records with bad times and non-dict records ------------------------------

def test_detect_issues_reports_records_it_cannot_use(tiny):
    """Bad times and non-dict records were dropped silently (result `[]`, errors thrown away)."""
    records = [
        {"id": "ok", "time": T0, "text": "薯条有股怪味", "store": "S1"},
        {"id": "x", "time": "yesterday", "text": "薯条有股怪味", "store": "S1"},
        "not a record",
        {"id": "y", "text": "没有时间", "store": "S1"},
        {"time": T0, "store": "S1"},
    ]
    with pytest.warns(fankui.SkippedRecordsWarning, match="4 of 5 records"):
        found = tiny.detect_issues(records)
    assert isinstance(found, list) and isinstance(found, fankui.Issues)  # still a list of issues
    assert found.records == 5
    assert [e["id"] for e in found.errors] == ["x", "3", "y", "5"]  # input order; no id: 1-based position
    assert "yesterday" in found.errors[0]["error"] and "RFC 3339" in found.errors[0]["error"]
    assert "not a mapping" in found.errors[1]["error"]
    assert found.errors[2]["error"] == "missing field `time`"
    assert found.errors[3]["error"] == "missing field `text`"
    # errors="ignore": no warning, the same list; errors="raise": InputError naming them, nothing analyzed.
    with _no_warnings():
        warnings.simplefilter("error")
        quiet = tiny.detect_issues(records, errors="ignore")
    assert quiet.errors == found.errors
    with pytest.raises(fankui.InputError, match=r"4 of 5 records could not be used \(first: record x: time `yesterday`") as e:
        tiny.detect_issues(records, errors="raise")
    assert e.value.errors == found.errors
    # The module-level function warns the same way (and its `errors` option exists there too).
    with pytest.warns(fankui.SkippedRecordsWarning):
        fankui.detect_issues(records[:2], analyzer=tiny)


def test_detect_issues_raise_writes_no_state(tiny, tmp_path):
    state = tmp_path / "issues.state"
    records = [{"id": "ok", "time": T0, "text": "薯条有股怪味", "store": "S1"},
               {"id": "long", "time": T0, "text": "好" * 20000, "store": "S1"}]  # refused by the pipeline itself
    with pytest.raises(fankui.InputError, match="text too long") as e:
        tiny.detect_issues(records, state=str(state), errors="raise")
    assert e.value.errors == [{"id": "long", "error": "text too long: 20000 characters (limit 10000)"}]
    assert not state.exists()  # a rerun with the record fixed is not refused as "already processed"
    found = tiny.detect_issues(records, state=str(state), errors="ignore")
    assert found.saved and state.exists() and [x["id"] for x in found.errors] == ["long"]


# --- NaN / inf (pandas) -----------------------------------------------------------------------

def test_detect_issues_takes_nan_and_inf(tiny):
    """A NaN or inf anywhere failed the whole batch with `ConfigError: expected value at line 1`."""
    records = [
        {"id": "a", "time": T0, "text": "薯条有股怪味", "store": "S1", "rating": float("nan"), "w": float("inf")},
        {"id": "b", "time": T0, "text": float("nan"), "store": "S1"},                   # NaN text: that record only
        {"id": float("nan"), "time": T0, "text": "汉堡凉了", "store": float("nan")},     # NaN id and group: missing
        {"id": "d", "time": T0, "text": "送餐太慢", "store": "S2", "nested": [1.0, float("-inf")]},
    ]
    found = tiny.detect_issues(records, errors="ignore")
    assert found.errors == [{"id": "b", "error": "field `text` is NaN (a missing value), not a string"}]
    assert found.records == 4 and found.windows == 1


def test_nan_is_none_in_score_records_passthrough(tiny):
    """score_records: a NaN text is a per-record error; NaN/inf passthrough fields become None
    (what serde_json, and so the CLI, writes for them) so rows stay valid JSON."""
    rows = tiny.score_records([{"id": "a", "text": "薯条", "rating": float("nan"), "w": float("-inf"), "n": 3.5},
                               {"id": "b", "text": float("nan")},
                               {"id": float("nan"), "text": "好吃"}])
    assert rows[0]["rating"] is None and rows[0]["w"] is None and rows[0]["n"] == 3.5
    assert rows[1] == {"id": "b", "error": "field `text` is NaN (a missing value), not a string"}
    assert rows[2]["id"] == 3 and "error" not in rows[2]
    json.dumps(rows, allow_nan=False)


def test_score_frame_nan_and_na(tiny):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"comment": pd.array(["薯条有股怪味", pd.NA, "送餐很快", b"\xe8\x96\xaf"], dtype=object)})
    out = tiny.score_frame(df, text_column="comment")
    assert out["quality_ok"].tolist()[1] is False and out["error"].tolist()[1] is None  # NA: an empty text
    assert "row 3 of column 'comment' is bytes, not a string" in out["error"].tolist()[3]
    assert out["sentiment"].tolist()[0] is not None and out["error"].tolist()[0] is None


# --- score: one result per item, per-item errors ------------------------------------------------

def test_score_gives_a_per_item_error_for_a_lone_surrogate(tiny):
    """A lone surrogate raised UnicodeEncodeError for the whole batch."""
    rows = tiny.score(["薯条有股怪味", "a\ud800b", "好吃"])
    assert len(rows) == 3
    assert rows[1] == {"error": "text 1 is not valid Unicode: lone surrogate U+D800 at character 1"}
    assert rows[0] == tiny.score(["薯条有股怪味"])[0] and "sentiment" in rows[2]
    # Also through score_records: an error row for that record, the others scored.
    recs = tiny.score_records([{"id": "a", "text": "x\udcff"}, {"id": "b", "text": "好吃"}])
    assert recs[0] == {"id": "a", "error": "field `text` is not valid Unicode: lone surrogate U+DCFF at character 1"}
    assert "error" not in recs[1]


def test_score_gives_per_item_errors_for_non_strings(tiny):
    """None, ints, floats, bytes: one error row each, in place, instead of a builtin error for the batch."""
    rows = tiny.score(["好吃", None, 42, float("nan"), b"\xe5\xa5\xbd", bytearray(b"x"), ["x"], "薯条凉了"])
    assert len(rows) == 8
    assert [r.get("error") for r in rows] == [
        None,
        "text 1 is None, not a string",
        "text 2 is int, not a string",
        "text 3 is NaN (a missing value), not a string",
        "text 4 is bytes, not a string (decode it first)",
        "text 5 is bytearray, not a string (decode it first)",
        "text 6 is list, not a string",
        None,
    ]
    assert rows[7] == tiny.score(["薯条凉了"])[0]


def test_score_refuses_containers_that_are_not_lists_of_texts(tiny):
    """A dict had its keys scored; a set has no order; bytes and str are single texts."""
    for bad, what in [({"薯条": 1, "好吃": 2}, "mapping"), ({"好吃"}, "set"), (b"abc", "single text"),
                      ("abc", "single text"), (42, "int")]:
        with pytest.raises(fankui.InputError, match=what):
            tiny.score(bad)
    assert len(tiny.score(t for t in ["好吃", "难吃"])) == 2  # any other iterable is fine


# --- embed: InputError naming the index -----------------------------------------------------------

def test_embed_raises_input_error_naming_the_index(tiny):
    """embed returns one row per text, so a bad item cannot have a row: InputError names its index."""
    with pytest.raises(fankui.InputError, match=r"^text 1 is not valid Unicode: lone surrogate U\+D800 at character 1$") as e:
        tiny.embed(["好吃", "a\ud800"])
    assert e.value.index == 1
    with pytest.raises(fankui.InputError, match=r"^text 2 is None, not a string \(2 bad texts in all\)$") as e:
        tiny.embed(["好吃", "难吃", None, 5])
    assert e.value.index == 2
    with pytest.raises(fankui.InputError, match="mapping"):
        tiny.embed({"好吃": 1})
    assert tiny.embed(["好吃", "难吃"]).shape == (2, 8)


def test_no_item_is_dropped_or_reordered_on_a_mixed_batch(tiny):
    """A larger mixed batch: outputs line up with inputs one for one."""
    items = []
    for i in range(300):
        items.append([f"薯条{i}凉了", None, "x\ud800", i, f"送餐很快{i}"][i % 5])
    rows = tiny.score(items)
    assert len(rows) == len(items)
    for i, (item, row) in enumerate(zip(items, rows)):
        if isinstance(item, str) and "\ud800" not in item:
            assert "error" not in row and row["text"] == item, i
        else:
            assert row["error"].startswith(f"text {i} "), (i, row)
