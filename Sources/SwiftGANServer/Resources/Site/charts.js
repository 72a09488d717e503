// SwiftGAN dashboard: SVG line charts, the same layout rules as the
// Swift side (ChartLayout): round ticks (1, 2 or 5 times a power of ten),
// one polyline per series, dashed markers, a legend for several series.
"use strict";
const SG = window.SG || (window.SG = {});

SG.palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

SG.ticks = function (low, high, count) {
  const span = high - low;
  if (!(span > 0) || !isFinite(span)) return [low];
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const values = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9 && values.length < 50; v += step) {
    values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return values;
};

// A tick as text, with the digits the ticks' spacing needs (as ChartLayout.label).
SG.label = function (value, step) {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  const stepPower = step > 0 && isFinite(step) ? Math.floor(Math.log10(step)) : 0;
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    return value.toExponential(Math.min(6, Math.max(0, Math.floor(Math.log10(magnitude)) - stepPower)));
  }
  return value.toFixed(Math.min(6, Math.max(0, -stepPower)));
};
SG.step = (ticks) => (ticks.length > 1 ? ticks[1] - ticks[0] : 1);

SG.padded = function (low, high, pad) {
  // A constant curve (float32 rounding leaves tiny differences) is centred, not magnified.
  if (high - low <= 1e-6 * Math.max(Math.abs(low), Math.abs(high))) {
    const half = low === 0 ? 0.5 : Math.abs(low) * 0.1;
    return [low - half, high + half];
  }
  const margin = pad ? (high - low) * 0.05 : 0;
  return [low - margin, high + margin];
};

// Exponential moving average with TensorBoard's debiasing.
SG.smooth = function (points, weight) {
  if (!(weight > 0)) return points;
  let average = 0, count = 0;
  return points.map(([x, y]) => {
    if (!isFinite(y)) return [x, y];
    count += 1;
    average = average * weight + (1 - weight) * y;
    return [x, average / (1 - Math.pow(weight, count))];
  });
};

const SVG_NS = "http://www.w3.org/2000/svg";
function node(name, attributes, text) {
  const element = document.createElementNS(SVG_NS, name);
  for (const key in attributes) element.setAttribute(key, attributes[key]);
  if (text !== undefined) element.textContent = text;
  return element;
}

// chart: {key, title, series: [{label, points: [[x, y], ...]}], marks: [{x, label}]}
SG.drawChart = function (chart, width, height) {
  width = width || 460; height = height || 240;
  const legendRows = chart.series.length > 1 ? Math.ceil(chart.series.length / 3) : 0;
  const left = 72, top = 24, right = width - 12, bottom = height - 30 - 14 * legendRows;
  // Loops, not Math.min(...values): long runs have more points than a call takes arguments.
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const series of chart.series) {
    for (const [x, y] of series.points) {
      if (!isFinite(y)) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  for (const mark of chart.marks) { xMin = Math.min(xMin, mark.x); xMax = Math.max(xMax, mark.x); }
  const [x0, x1] = SG.padded(isFinite(xMin) ? xMin : 0, isFinite(xMax) ? xMax : 1, false);
  const [y0, y1] = SG.padded(isFinite(yMin) ? yMin : 0, isFinite(yMax) ? yMax : 1, true);
  const X = (v) => left + (v - x0) / (x1 - x0) * (right - left);
  const Y = (v) => bottom - (v - y0) / (y1 - y0) * (bottom - top);
  const total = chart.series.reduce((n, s) => n + s.points.filter((p) => isFinite(p[1])).length, 0);
  const svg = node("svg", {
    class: "chart", "data-chart": chart.key, "data-points": total, viewBox: `0 0 ${width} ${height}`,
    width: width, height: height, role: "img", "aria-label": chart.title,
  });
  svg.appendChild(node("text", { x: left, y: 16, class: "title" }, chart.title));
  svg.appendChild(node("rect", { x: left, y: top, width: right - left, height: bottom - top, class: "frame" }));
  const yTicks = SG.ticks(y0, y1, Math.max(2, Math.floor((bottom - top) / 40)));
  for (const tick of yTicks) {
    svg.appendChild(node("line", { x1: left, x2: right, y1: Y(tick), y2: Y(tick), class: "grid" }));
    svg.appendChild(node("text", { x: left - 4, y: Y(tick), "text-anchor": "end", "dominant-baseline": "middle" }, SG.label(tick, SG.step(yTicks))));
  }
  const xTicks = SG.ticks(x0, x1, Math.max(2, Math.floor((right - left) / 90)));
  for (const tick of xTicks) {
    svg.appendChild(node("line", { x1: X(tick), x2: X(tick), y1: bottom, y2: bottom + 4, class: "axis" }));
    svg.appendChild(node("text", { x: X(tick), y: bottom + 15, "text-anchor": "middle" }, SG.label(tick, SG.step(xTicks))));
  }
  for (const mark of chart.marks) {
    svg.appendChild(node("line", { x1: X(mark.x), x2: X(mark.x), y1: top, y2: bottom, class: "mark" }));
    const nearRight = X(mark.x) > (left + right) / 2;
    svg.appendChild(node("text", {
      x: X(mark.x) + (nearRight ? -3 : 3), y: top + 10, class: "mark-label", "text-anchor": nearRight ? "end" : "start",
    }, `${mark.label} (step ${mark.x})`));
  }
  chart.series.forEach((series, index) => {
    const colour = SG.palette[index % SG.palette.length];
    const points = series.points.filter((p) => isFinite(p[1]));
    svg.appendChild(node("polyline", {
      class: "series", "data-series": series.label, "data-points": points.length, stroke: colour,
      points: points.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(" "),
    }));
    if (points.length === 1) svg.appendChild(node("circle", { cx: X(points[0][0]), cy: Y(points[0][1]), r: 3, fill: colour }));
    if (chart.series.length > 1) {
      const lx = left + (index % 3) * (right - left) / 3, ly = bottom + 30 + Math.floor(index / 3) * 14;
      svg.appendChild(node("rect", { x: lx, y: ly - 7, width: 10, height: 3, fill: colour }));
      svg.appendChild(node("text", { x: lx + 14, y: ly }, series.label));
    }
  });
  return svg;
};

SG.drawBars = function (values, title, labels, width, height) {
  width = width || 460; height = height || 180;
  const left = 40, top = 24, right = width - 12, bottom = height - 24;
  const highest = values.reduce((a, b) => Math.max(a, b), 1e-9);
  const slot = (right - left) / Math.max(values.length, 1);
  const svg = node("svg", { class: "histogram", "data-bars": values.length, viewBox: `0 0 ${width} ${height}`, width, height });
  svg.appendChild(node("text", { x: left, y: 16, class: "title" }, title));
  values.forEach((value, index) => {
    const h = value / highest * (bottom - top);
    const bar = node("rect", { class: "bar", x: left + index * slot + 2, y: bottom - h, width: Math.max(slot - 4, 1), height: h });
    bar.appendChild(node("title", {}, `${labels ? labels[index] : index}: ${value}`));
    svg.appendChild(bar);
    svg.appendChild(node("text", { x: left + (index + 0.5) * slot, y: bottom + 14, "text-anchor": "middle" }, labels ? labels[index] : index));
  });
  svg.appendChild(node("line", { x1: left, x2: right, y1: bottom, y2: bottom, class: "axis" }));
  return svg;
};

// The GAN Lab picture on a canvas: D's decision map, G's manifold, real
// and generated points, and the arrows of G's gradient.
SG.drawMixture = function (canvas, view, options) {
  options = options || {};
  const context = canvas.getContext("2d");
  const size = canvas.width;
  const [bx0, bx1, by0, by1] = view.bounds;
  const X = (x) => (x - bx0) / (bx1 - bx0) * size;
  const Y = (y) => (by1 - y) / (by1 - by0) * size;
  const n = view.mapSize, cell = size / n;
  let low = view.decision.reduce((a, b) => Math.min(a, b), Infinity);
  let high = view.decision.reduce((a, b) => Math.max(a, b), -Infinity);
  if (view.decisionIsProbability) { low = 0; high = 1; }
  for (let row = 0; row < n; row++) {
    for (let column = 0; column < n; column++) {
      const t = (view.decision[row * n + column] - low) / Math.max(high - low, 1e-9);
      // Green where D says real, purple where it says fake (as GAN Lab colours them).
      const mix = (a, b) => Math.round(a + (b - a) * t);
      context.fillStyle = `rgb(${mix(214, 160)},${mix(180, 222)},${mix(236, 160)})`;
      context.fillRect(column * cell, row * cell, cell + 1, cell + 1);
    }
  }
  if (options.manifold !== false) {
    context.strokeStyle = "rgba(120, 40, 160, 0.45)";
    context.lineWidth = 1;
    for (const line of view.manifold) {
      context.beginPath();
      for (let i = 0; i + 1 < line.length; i += 2) {
        const x = X(line[i]), y = Y(line[i + 1]);
        if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
      }
      context.stroke();
    }
  }
  context.fillStyle = "rgba(20, 110, 40, 0.8)";
  for (let i = 0; i + 1 < view.real.length; i += 2) context.fillRect(X(view.real[i]) - 1.5, Y(view.real[i + 1]) - 1.5, 3, 3);
  context.fillStyle = "rgba(130, 30, 170, 0.9)";
  for (let i = 0; i + 1 < view.generated.length; i += 2) {
    context.beginPath();
    context.arc(X(view.generated[i]), Y(view.generated[i + 1]), 2.2, 0, 2 * Math.PI);
    context.fill();
  }
  if (options.arrows !== false && view.generatorGradients.length) {
    let longest = 1e-12;
    for (let i = 0; i + 1 < view.generatorGradients.length; i += 2) {
      longest = Math.max(longest, Math.hypot(view.generatorGradients[i], view.generatorGradients[i + 1]));
    }
    const scale = size * 0.05 / longest;
    context.strokeStyle = "rgba(40, 40, 40, 0.7)";
    for (let i = 0; i + 1 < view.generatorGradients.length; i += 2) {
      const x = X(view.generated[i]), y = Y(view.generated[i + 1]);
      const dx = view.generatorGradients[i] * scale, dy = -view.generatorGradients[i + 1] * scale;
      context.beginPath();
      context.moveTo(x, y);
      context.lineTo(x + dx, y + dy);
      context.stroke();
    }
  }
  canvas.dataset.real = view.real.length / 2;
  canvas.dataset.generated = view.generated.length / 2;
  canvas.dataset.step = view.step;
};
