/* The charts of single pages, drawn from each page's own JSON (<script id="page-data"
   data-page="NAME">): yz.pages.NAME(data, yz). Kept out of the templates so that the
   Content-Security-Policy can forbid inline scripts (script-src 'self'). */
(function () {
  "use strict";
  const pages = (window.yz.pages = window.yz.pages || {});

  pages.enterprise = function (d, yz) {
    const el = document.getElementById("intensity-chart");
    if (!el || !d.annual) return;
    const L = yz.L;
    const xs = d.annual.map((r) => r[0]).concat(d.ytd.map((r) => r[0]));
    yz.chart(el, {
      grid: { left: 40, right: 20, top: 30, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: xs, axisLabel: { rotate: 30, fontSize: 10 } },
      yAxis: { type: "value", name: "%" },
      series: [
        { name: L("全年", "Full year"), type: "line", data: d.annual.map((r) => r[1]).concat(d.ytd.map(() => null)) },
        { name: L("年初至今", "Year to date"), type: "line", data: d.annual.map(() => null).concat(d.ytd.map((r) => r[1])) },
        { name: "3.4%", type: "line", data: xs.map(() => 3.4), symbol: "none", lineStyle: { type: "dashed" } },
        { name: "5%", type: "line", data: xs.map(() => 5), symbol: "none", lineStyle: { type: "dashed" } },
      ],
    });
  };

  pages.evaluation = function (d, yz) {
    const L = yz.L;
    yz.chart(document.getElementById("score-chart"), {
      grid: { left: 110, right: 40, top: 10, bottom: 20 },
      tooltip: {},
      xAxis: { type: "value" },
      yAxis: { type: "category", data: d.labels, inverse: true },
      series: [{ type: "bar", data: d.scores, barMaxWidth: 28, label: { show: true, position: "right", formatter: (p) => (p.value == null ? "—" : p.value.toFixed(1)) } }],
    });
    const el = document.getElementById("interval-chart");
    const base = d.q5.map((v) => (v == null ? null : v));
    const span = d.q95.map((v, i) => (v == null || d.q5[i] == null ? null : v - d.q5[i]));
    yz.chart(el, {
      grid: { left: 110, right: 20, top: 24, bottom: 20 },
      legend: { top: 0, data: [L("排名区间", "Rank interval"), L("排名", "Rank")] },
      tooltip: { trigger: "axis", formatter: (ps) => { const i = ps[0].dataIndex; return `${d.labels[i]}<br>${L("排名", "Rank")} ${d.ranks[i]}` + (d.q5[i] == null ? "" : `<br>5%–95%: ${d.q5[i].toFixed(0)}–${d.q95[i].toFixed(0)}`); } },
      xAxis: { type: "value", min: 1, max: d.max_rank, name: L("名次", "rank") },
      yAxis: { type: "category", data: d.labels, inverse: true },
      series: [
        { name: "base", type: "bar", stack: "iv", data: base, barMaxWidth: 18, itemStyle: { color: "transparent" }, tooltip: { show: false } },
        { name: L("排名区间", "Rank interval"), type: "bar", stack: "iv", data: span, barMaxWidth: 18, itemStyle: { color: "rgba(37,99,235,0.35)" } },
        { name: L("排名", "Rank"), type: "scatter", data: d.ranks, symbolSize: 7, itemStyle: { color: "#b91c1c" } },
      ],
    });
  };

  pages.evaluation_method = function (d, yz) {
    const total = d.aggregates.reduce((s, a) => s + a.weight, 0) || 1;
    yz.bars(document.getElementById("weight-chart"), d.aggregates.map((a) => yz.L(a.name, a.name_en)), d.aggregates.map((a) => Math.round((1000 * a.weight) / total) / 10), { format: "{c}%" });
  };

  pages.evaluation_unit = function (d, yz) {
    const L = yz.L;
    yz.bars(document.getElementById("pillar-chart"), d.pillars.map((p) => L(p.name, p.name_en)), d.pillars.map((p) => p.score), { max: 100, format: (p) => (p.value == null ? "—" : p.value.toFixed(1)) });
    const inds = d.indicators.filter((i) => i.contribution != null).sort((a, b) => b.contribution - a.contribution);
    yz.chart(document.getElementById("contribution-chart"), {
      grid: { left: 170, right: 30, top: 10, bottom: 20 },
      tooltip: {},
      xAxis: { type: "value" },
      yAxis: { type: "category", data: inds.map((i) => i.code + " " + L(i.name, i.name_en)), inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
      series: [{ type: "bar", data: inds.map((i) => ({ value: i.contribution, itemStyle: { color: i.contribution >= 0 ? "#15803d" : "#b91c1c" } })) }],
    });
  };

  pages.indicator = function (d, yz) {
    yz.trend(document.getElementById("trend"), d.status);
    const ytd = document.getElementById("ytd"), p = d.periods || {};
    const kind = p.ytd ? "ytd" : p.month ? "month" : p.quarter ? "quarter" : null;
    if (ytd && kind) {
      const xs = Object.keys(p[kind]).slice(-36);
      yz.chart(ytd, { grid: { left: 50, right: 10, top: 20, bottom: 40 }, tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: xs.map((x) => (d.period_labels || {})[x] || x), axisLabel: { rotate: 45, fontSize: 10 } }, yAxis: { type: "value", scale: true },
        series: [{ type: "line", name: kind, data: xs.map((x) => p[kind][x]), symbolSize: 3 }] });
    }
    const kids = document.getElementById("children-chart");
    if (kids) {
      const rows = d.children.filter((c) => c.value != null);
      kids.style.height = Math.max(240, rows.length * 20 + 40) + "px";
      yz.chart(kids, { grid: { left: 110, right: 40, top: 10, bottom: 20 }, tooltip: {},
        xAxis: { type: "value", scale: true }, yAxis: { type: "category", inverse: true, data: rows.map((c) => c.name) },
        series: [{ type: "bar", data: rows.map((c) => ({ value: c.value, itemStyle: { color: yz.statusColour(c.status) } })),
          label: { show: true, position: "right", formatter: (x) => x.value.toFixed(2) } }] });
    }
    const att = document.getElementById("attribution-chart");
    if (att && d.attribution) {
      att.style.height = Math.max(200, d.attribution.length * 22 + 40) + "px";
      yz.bars(att, d.attribution.map((g) => g.name), d.attribution.map((g) => g.total == null ? null : +g.total.toFixed(4)), { left: 110 });
    }
  };

  pages.register = function (d, yz) {
    var el = document.getElementById("district-chart");
    if (!el) return;
    var ds = d.districts || [];
    yz.bars(el, ds.map(function (x) { return x.name; }), ds.map(function (x) { return x.count; }), { left: 90 });
  };

  pages.registers = function (d, yz) {
    var rs = d.registers || [];
    var el = document.getElementById("register-chart");
    el.style.height = Math.max(200, 26 * rs.length + 30) + "px";
    yz.bars(el, rs.map(function (r) { return yz.L(r.name, r.name_en); }), rs.map(function (r) { return r.entries; }), { left: 190 });
  };

  pages.task = function (d, yz) {
    var el = document.getElementById("progress-chart");
    var rows = (d.history || []).slice().reverse();
    yz.chart(el, {
      grid: { left: 40, right: 10, top: 10, bottom: 22 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: rows.map(function (r) { return r.period; }) },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "line", name: yz.L("完成进度", "Progress"), data: rows.map(function (r) { return r.progress; }), symbolSize: 4 }]
    });
  };

  pages.unit = function (d, yz) {
    const el = document.getElementById("scorecard-chart");
    if (el && d.scorecard.length) {
      const rows = d.scorecard;
      el.style.height = Math.max(220, rows.length * 18 + 40) + "px";
      yz.bars(el, rows.map((r) => yz.L(r.name, r.name_en)), rows.map((r) => r.contribution == null ? null : +r.contribution.toFixed(2)), { left: 170 });
    }
  };

  pages.tasks = function (d, yz) {
    document.querySelectorAll('[data-chart="programme"]').forEach(function (el) {
      var ts = d.tasks.filter(function (t) { return t.programme === el.dataset.code; });
      el.style.height = Math.max(120, 34 * ts.length + 30) + "px";
      yz.bars(el, ts.map(function (t) { return t.code; }),
        ts.map(function (t) { return t.progress == null ? 0 : Math.round(t.progress); }),
        { max: 100, format: "{c}%", left: 60 });
    });
  };

})();
