"""The report as a person sees it: the example month's report loaded in headless Debian
chromium (through Playwright's driver, never a downloaded browser). Checks: no console
errors and no network request; every chart drew something; a click on an issue, a store and
a topic lists their records; the time to interactive is printed (the 2 s target is a
measurement, not a test: CI machines are shared and noisy; only a hang fails). Saves a screenshot (to
$FANKUI_REPORT_SCREENSHOT when set, e.g. docs/report.png).

Skips, saying why, when chromium or Playwright is missing (scripts/setup.sh installs both
when it runs as root)."""

import json
import os
import re
import shutil
import time

import pytest

import fankui

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MONTH = os.path.join(ROOT, "examples", "month.jsonl")


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM = _chromium()
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it as root: "
                                                "apt-get install chromium); browser test skipped"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install -r requirements-dev.txt)"),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    with open(MONTH, encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    started = time.perf_counter()
    # From 2026-10-15: every issue of the month (7) is in the period; the previous
    # period of the same length (from 2026-09-24) holds the month's first two weeks.
    html = fankui.report(records, group_fields=("store", "region"), since="2026-10-15",
                         stores=os.path.join(ROOT, "examples", "stores.csv"),
                         volume=os.path.join(ROOT, "examples", "volume.csv"))
    print(f"report: {len(html)} bytes made in {time.perf_counter() - started:.1f} s")
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path, html


def _data(html):
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))["data"]


def test_report_in_headless_chromium(report_file):
    path, html = report_file
    data = _data(html)
    assert len(html.encode("utf-8")) < 5_000_000, "the example month's report is below 5 MB"
    assert len(data["issues"]) >= 5, "the example month's incidents are in the period"
    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready='1']", timeout=10_000)
        ready_ms = page.evaluate("window.__fankuiReadyMs")
        print(f"interactive after {ready_ms:.0f} ms")
        assert ready_ms < 30000, f"interactive after {ready_ms:.0f} ms: the page hangs"
        assert [u for u in requests if not u.startswith("file:")] == [], "self-contained: no network request"

        # Every chart drew: each [data-chart] holds a canvas with painted pixels.
        painted = page.evaluate("""() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
            const c = el.querySelector('canvas');
            if (!c || !c.width || !c.height) return [el.id, 0];
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
            return [el.id, n];
        })""")
        assert len(painted) == 3 + len(data["issues"]), painted
        blank = [cid for cid, n in painted if n < 500]
        assert not blank, f"charts without drawing: {blank}"

        # A click on an issue lists its records (and only its records).
        assert page.locator("#drill-table").is_hidden()
        for k in range(len(data["issues"])):
            card = page.locator(f"[data-issue='{k}']")
            card.click()
            rows = page.locator("#drill-table tbody tr")
            want = [data["records"][i][0] for i in data["issues"][k]["records"]][:500]
            assert want, f"issue {k} has records"
            assert rows.count() == len(want)
            assert page.locator("#drill-table tbody tr td:first-child").all_text_contents() == want
            assert card.locator("h3").text_content() in page.locator("#drill-title").text_content()

        # A store and a topic too.
        link = page.locator(".store-link").first
        store = link.get_attribute("data-store")
        link.click()
        stores = page.locator("#drill-table tbody tr td:nth-child(3)").all_text_contents()
        assert stores and all(s.split(" · ")[0] == store for s in stores)
        page.locator("#top-topics .topic-link").first.click()
        assert page.locator("#drill-table tbody tr").count() > 0

        # The scorecard: complaints per 1,000 orders (volume.csv), sorting and filtering.
        per_k = page.locator("#stores thead th").nth(4)
        assert per_k.text_content() == "每千单投诉"
        per_k.click()
        values = [float(v) for v in page.eval_on_selector_all(
            "#stores tbody tr td:nth-child(5)", "tds => tds.map(td => td.getAttribute('data-v'))")]
        assert values == sorted(values, reverse=True) and values[0] > 0, "sorted by complaints per 1,000 orders"
        page.locator("#store-filter").fill(store)
        visible = page.locator("#stores tbody tr:visible")
        assert visible.count() >= 1 and all(store in t for t in visible.all_text_contents())
        page.locator("#store-filter").fill("")
        assert not errors, errors

        shot = os.environ.get("FANKUI_REPORT_SCREENSHOT") or str(path.with_suffix(".png"))
        page.evaluate("window.scrollTo(0, 0)")
        page.set_viewport_size({"width": 1280, "height": 1800})
        page.wait_for_timeout(300)  # charts follow the resize
        page.screenshot(path=shot)
        browser.close()
    assert os.path.getsize(shot) > 20_000, "a screenshot with something on it"


def test_report_english_and_escaping(report_file):
    """The JSON blob cannot close its script element, whatever the texts say."""
    records = [
        {"id": "x1", "time": "2026-10-01T12:00:00+08:00", "store": "S1", "text": "</script><script>alert(1)</script>薯条凉了"},
        {"id": "x2", "time": "2026-10-02T12:00:00+08:00", "store": "S1", "text": "汉堡很好吃"},
    ]
    html = fankui.report(records, lang="en")
    assert html.count("</script>") == 3, "data, ECharts, the page's script"
    assert 'lang="en"' in html and "Store scorecard" in html
    data = _data(html)
    assert [r[0] for r in data["records"]] == ["x1", "x2"]
