// The report's behaviour: charts (ECharts), scorecard sorting and filtering, and
// the drill-down from an issue, a store or a topic to its records. Everything it
// reads is the JSON blob in #report-data.
(function () {
  "use strict";
  var blob = JSON.parse(document.getElementById("report-data").textContent);
  var t = blob.t, d = blob.data;
  var charts = [];
  var palette = ["#d93025", "#f2a600", "#1a73e8", "#1e8e3e", "#a142f4", "#12b5cb", "#e8710a", "#5f6368", "#c5221f", "#188038", "#9334e6", "#f538a0", "#007b83", "#b06000"];

  function chart(el, option) {
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
    return c;
  }
  var periodArea = { silent: true, itemStyle: { color: "rgba(26,115,232,0.06)" }, data: [[{ xAxis: d.period[0] }, { xAxis: d.period[1] }]] };

  function dailyChart(el) {
    chart(el, {
      color: ["#9aa0a6", "#1a73e8"],
      tooltip: { trigger: "axis" },
      legend: { data: [t.records, t.index] },
      grid: { left: 48, right: 48, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.days },
      yAxis: [{ type: "value", name: t.records }, { type: "value", name: t.index, min: -100, max: 100 }],
      series: [
        { name: t.records, type: "bar", data: d.daily_records, markArea: periodArea },
        { name: t.index, type: "line", yAxisIndex: 1, data: d.daily_index, connectNulls: true, symbolSize: 4 }
      ]
    });
  }

  function topicsChart(el, kind) {
    var series = d.topics.map(function (s) {
      return { name: s.label, type: "line", stack: kind, areaStyle: { opacity: 0.25 }, symbol: "none", data: s[kind] };
    });
    if (series.length) series[0].markArea = periodArea;
    chart(el, {
      color: palette,
      title: { text: kind === "complaints" ? t.topics_complaints : t.topics_praise, left: 8, top: 4, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 28 },
      grid: { left: 40, right: 16, top: 64, bottom: 28 },
      xAxis: { type: "category", data: d.days },
      yAxis: { type: "value" },
      series: series
    });
  }

  function issueChart(el, i) {
    var s = d.issues[i];
    var c = chart(el, {
      color: ["#d93025", "#5f6368"],
      tooltip: { trigger: "axis" },
      legend: { data: [t.count, t.expected], top: 0, itemHeight: 8, textStyle: { fontSize: 11 } },
      grid: { left: 30, right: 8, top: 24, bottom: 22 },
      xAxis: { type: "category", data: s.days.map(function (x) { return x.slice(5); }), axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
      series: [
        { name: t.count, type: "bar", data: s.counts, barMaxWidth: 18 },
        { name: t.expected, type: "line", data: s.expected, lineStyle: { type: "dashed" }, symbolSize: 4 }
      ]
    });
    return c;
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    if (kind === "daily") dailyChart(el);
    else if (kind === "topics") topicsChart(el, el.getAttribute("data-kind"));
    else if (kind === "issue") issueChart(el, +el.getAttribute("data-index"));
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Drill-down.
  var topicLabel = {};
  d.topics.forEach(function (s) { topicLabel[s.id] = s.label; });
  var tbody = document.querySelector("#drill-table tbody");
  var MAX_ROWS = 500;
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }
  function showRecords(title, rows) {
    tbody.textContent = "";
    rows.slice(0, MAX_ROWS).forEach(function (k) {
      var r = d.records[k];
      var tr = document.createElement("tr");
      cell(tr, r[0]); cell(tr, r[1]); cell(tr, r[2] + (r[3] ? " · " + r[3] : "")); cell(tr, r[4]);
      cell(tr, r[5] === null ? "–" : r[5].toFixed(2), r[5] === null ? "" : (r[5] < 0 ? "down" : "up"));
      var topics = r[6].map(function (x) { return "−" + (topicLabel[x] || x); }).concat(r[7].map(function (x) { return "+" + (topicLabel[x] || x); }));
      cell(tr, topics.join(" "));
      tbody.appendChild(tr);
    });
    document.getElementById("drill-table").hidden = false;
    var more = rows.length > MAX_ROWS ? " · " + t.more_rows.replace("{n}", MAX_ROWS) : "";
    document.getElementById("drill-title").textContent = "— " + title + " (" + rows.length + ")" + more;
  }
  function goDrill() { document.getElementById("drill").scrollIntoView({ block: "start" }); }
  function where(pred) {
    var out = [];
    d.records.forEach(function (r, k) { if (pred(r)) out.push(k); });
    return out;
  }
  document.querySelectorAll("[data-issue]").forEach(function (el) {
    function open() {
      var i = +el.getAttribute("data-issue");
      document.querySelectorAll(".issue.selected").forEach(function (x) { x.classList.remove("selected"); });
      el.classList.add("selected");
      showRecords(el.querySelector("h3").textContent, d.issues[i].records);
      goDrill();
    }
    el.addEventListener("click", open);
    el.addEventListener("keydown", function (e) { if (e.key === "Enter") open(); });
  });
  document.querySelectorAll(".store-link").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var s = a.getAttribute("data-store");
      showRecords(s, where(function (r) { return r[8] && r[2] === s; }));
      goDrill();
    });
  });
  document.querySelectorAll(".topic-link").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      e.stopPropagation();
      var s = a.getAttribute("data-topic");
      showRecords(a.textContent + " · " + t.complaints, where(function (r) { return r[8] && r[6].indexOf(s) >= 0; }));
      goDrill();
    });
  });

  // Scorecard: sort by a column, filter by text, only red/yellow rows.
  var table = document.getElementById("stores");
  if (table) {
    var body = table.tBodies[0];
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("desc") && th.classList.contains("asc") ? false : !th.classList.contains("asc");
        if (th.getAttribute("data-type") === "num" && !th.classList.contains("asc") && !th.classList.contains("desc")) asc = false;
        table.querySelectorAll("th").forEach(function (x) { x.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var num = th.getAttribute("data-type") === "num";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var c = num ? (parseFloat(x.getAttribute("data-v") || x.textContent) - parseFloat(y.getAttribute("data-v") || y.textContent))
                      : x.textContent.localeCompare(y.textContent);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    var filter = document.getElementById("store-filter"), flagged = document.getElementById("only-flagged");
    function apply() {
      var q = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(body.rows, function (r) {
        var w = r.getAttribute("data-worst");
        var ok = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) && (!flagged.checked || w === "red" || w === "yellow");
        r.hidden = !ok;
      });
    }
    filter.addEventListener("input", apply);
    flagged.addEventListener("change", apply);
  }
  window.__fankuiReadyMs = performance.now();
  document.documentElement.setAttribute("data-ready", "1");
})();
