"""fankui.detect_issues with stores=, volume= and tickets=: the same tickets as the CLI,
tickets kept beside the state, bad operations files refused with file, line and column."""
import json
import os
import subprocess

import pytest

import fankui
from conftest import ROOT, TINY_MODEL

MONTH = os.path.join(ROOT, "examples", "month.jsonl")
STORES = os.path.join(ROOT, "examples", "stores.csv")
VOLUME = os.path.join(ROOT, "examples", "volume.csv")
NOW = "2026-10-20T09:00:00+08:00"


def first_days(last="2026-10-15"):
    with open(MONTH, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if r["time"][:10] <= last]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def runs(cli, tmp_path_factory):
    """The first 15 days (to the hair incident) with the bundled model, through Python and through the CLI."""
    tmp = tmp_path_factory.mktemp("ops")
    records = first_days()
    path = tmp / "tickets.py.jsonl"
    found = fankui.detect_issues(records, group_fields=("store",), options={"now": NOW},
                                 stores=STORES, volume=VOLUME, tickets=str(path))
    month = tmp / "month.jsonl"
    month.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    cli_path = tmp / "tickets.cli.jsonl"
    subprocess.run([cli, "issues", str(month), "--group-field", "store", "--now", NOW, "--stores", STORES,
                    "--volume", VOLUME, "--tickets", str(cli_path), "-o", os.devnull, "--quiet"],
                   check=True, capture_output=True)
    return found, read_jsonl(path), read_jsonl(cli_path)


def test_tickets_match_the_cli(runs):
    found, from_python, from_cli = runs
    assert from_python == from_cli
    assert found.tickets == from_python
    red = [t for t in from_python if t["severity"] == "red"]
    assert red, "the hair incident of 2026-10-15 at BJ-007 is red"
    hair = [t for t in red if t["scope"] == "BJ-007"]
    assert hair and hair[0]["level"] == "store" and hair[0]["region"] == "north"
    assert hair[0]["opened_at"] == NOW and hair[0]["due_at"] == "2026-10-21T09:00:00+08:00"
    wanted = {i["id"] for i in found if i["kind"] == "complaint" and i["severity"] in ("red", "yellow")}
    assert {t["issue_id"] for t in from_python} == wanted


def test_tickets_persist_beside_the_state_and_escalate(tmp_path):
    tiny = fankui.Analyzer(model=TINY_MODEL)
    state = str(tmp_path / "issues.state")
    # A ticket file from an earlier run, kept beside the state: past due, it escalates.
    ticket = {"ticket_id": "T0000000000000001", "issue_id": "c-1-2026-10-15", "severity": "red", "level": "store",
              "scope": "BJ-007", "opened_at": "2026-10-16T09:00:00+08:00", "due_at": "2026-10-17T09:00:00+08:00",
              "status": "open", "closed_at": None, "escalations": 0, "summary": "【红】门店 BJ-007：汉堡·有头发",
              "examples": [], "region": "north"}
    with open(state + ".tickets.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps(ticket, ensure_ascii=False) + "\n")
    out = tmp_path / "tickets.jsonl"
    found = tiny.detect_issues([], state=state, options={"now": "2026-10-18T08:00:00+08:00"}, tickets=str(out))
    [t] = [t for t in found.tickets if t["ticket_id"] == ticket["ticket_id"]]
    assert (t["status"], t["level"], t["scope"], t["escalations"]) == ("overdue", "region", "north", 1)
    assert read_jsonl(state + ".tickets.jsonl") == read_jsonl(out)


def test_bad_operations_files_are_input_errors(tmp_path):
    tiny = fankui.Analyzer(model=TINY_MODEL)
    bad = tmp_path / "volume.csv"
    bad.write_text("date,store,orders\n2026-10-01,SH-001,many\n", encoding="utf-8")
    with pytest.raises(fankui.InputError, match="line 2, column `orders`"):
        tiny.detect_issues([], volume=str(bad))
    with pytest.raises(fankui.InputError, match="no `store` column"):
        bad.write_text("shop\nA\n", encoding="utf-8")
        tiny.detect_issues([], stores=str(bad))
