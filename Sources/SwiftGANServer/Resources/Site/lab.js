// SwiftGAN lab: GAN Lab's controls over a 2-D GAN the server trains.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let state = null;
  let drawing = false;
  let drawn = [];   // drawn points, in data coordinates

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST", headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      $("error").textContent = (await response.text()).trim();
      return null;
    }
    $("error").textContent = "";
    const next = await response.json();
    show(next);
    return next;
  }

  function settingsFromControls() {
    const settings = Object.assign({}, state.settings);
    settings.objective = $("objective").value;
    settings.learningRateD = Number($("lr-d").value);
    settings.learningRateG = Number($("lr-g").value);
    settings.discriminatorSteps = Number($("ratio").value);
    const data = $("data").value;
    if (data === "custom") {
      if (drawn.length < 3) { $("error").textContent = "draw at least 3 points first"; return null; }
      settings.data = "custom";
      settings.customPoints = [].concat(...drawn);
    } else {
      settings.data = data;
      settings.customPoints = null;
    }
    return settings;
  }

  function applySettings() {
    const settings = settingsFromControls();
    if (settings) post("/api/lab/settings", settings);
  }

  function show(next) {
    // Out-of-order answers of this session are dropped; a restarted lab's states are taken.
    if (!next || (state && next.session === state.session && next.version < state.version)) return;
    state = next;
    $("play").textContent = state.playing ? "Pause" : "Play";
    $("play").setAttribute("aria-pressed", state.playing ? "true" : "false");
    $("status").textContent = `${state.playing ? "training" : "paused"} · G updates ${state.generatorUpdates} · D updates ${state.discriminatorUpdates}`;
    document.body.dataset.generatorUpdates = state.generatorUpdates;
    document.body.dataset.playing = state.playing;
    const m = state.metrics;
    $("counts").textContent = m["loss/discriminator"] === undefined ? "" :
      `D loss ${m["loss/discriminator"].toFixed(3)} · G loss ${(m["loss/generator"] ?? NaN).toFixed(3)} · D(x) ${(m["score/real"] ?? NaN).toFixed(2)} · D(G(z)) ${(m["score/fake"] ?? NaN).toFixed(2)}`;
    if (state.error) $("error").textContent = state.error;
    for (const [id, key] of [["objective", "objective"], ["lr-d", "learningRateD"], ["lr-g", "learningRateG"], ["ratio", "discriminatorSteps"]]) {
      if (document.activeElement !== $(id)) $(id).value = state.settings[key];
    }
    if (document.activeElement !== $("data")) $("data").value = state.settings.data;
    if (state.view && !drawing) {
      SG.drawMixture($("plane"), state.view, { manifold: $("show-manifold").checked, arrows: $("show-arrows").checked });
    }
    if (drawing) drawDrawing();
    const history = state.history;
    const chart = {
      key: "loss", title: "Losses", marks: [],
      series: [
        { label: "discriminator", points: history.map((h) => [h[0], h[1]]) },
        { label: "generator", points: history.map((h) => [h[0], h[2]]) },
      ],
    };
    $("loss-chart").replaceChildren(SG.drawChart(chart, 420, 220));
    const modes = state.view && state.view.samplesPerMode;
    $("modes").replaceChildren(...(modes ? [SG.drawBars(modes, `Generated samples per mode (${state.view.mixture})`, null, 420, 160)] : []));
  }

  // Drawing: points in the current view's coordinates.
  function toData(event) {
    const canvas = $("plane"), rect = canvas.getBoundingClientRect();
    const bounds = (state && state.view && state.view.bounds) || [-2, 2, -2, 2];
    const u = (event.clientX - rect.left) / rect.width, v = (event.clientY - rect.top) / rect.height;
    return [bounds[0] + u * (bounds[1] - bounds[0]), bounds[3] - v * (bounds[3] - bounds[2])];
  }
  // The keyboard's pen: arrow keys move it over the plane (a fraction of its width a press), Enter puts a point.
  let pen = null;
  function drawDrawing() {
    const canvas = $("plane"), context = canvas.getContext("2d");
    const bounds = (state && state.view && state.view.bounds) || [-2, 2, -2, 2];
    const X = (x) => (x - bounds[0]) / (bounds[1] - bounds[0]) * canvas.width;
    const Y = (y) => (bounds[3] - y) / (bounds[3] - bounds[2]) * canvas.height;
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = "rgba(20, 110, 40, 0.9)";
    for (const [x, y] of drawn) {
      context.beginPath();
      context.arc(X(x), Y(y), 3, 0, 2 * Math.PI);
      context.fill();
    }
    if (pen) {
      context.strokeStyle = "#333";
      context.beginPath();
      context.moveTo(X(pen[0]) - 8, Y(pen[1]));
      context.lineTo(X(pen[0]) + 8, Y(pen[1]));
      context.moveTo(X(pen[0]), Y(pen[1]) - 8);
      context.lineTo(X(pen[0]), Y(pen[1]) + 8);
      context.stroke();
    }
    canvas.dataset.drawn = drawn.length;
  }
  $("plane").addEventListener("keydown", (event) => {
    if (!drawing) return;
    const bounds = (state && state.view && state.view.bounds) || [-2, 2, -2, 2];
    const step = (bounds[1] - bounds[0]) / 40;
    if (!pen) pen = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2];
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[event.key]) {
      pen = [pen[0] + moves[event.key][0], pen[1] + moves[event.key][1]];
    } else if (event.key === "Enter") {
      drawn.push(pen.slice());
      updateDrawButtons();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    drawDrawing();
  });
  let pressed = false;
  $("plane").addEventListener("pointerdown", (event) => { if (drawing) { pressed = true; drawn.push(toData(event)); drawDrawing(); } });
  $("plane").addEventListener("pointermove", (event) => { if (drawing && pressed) { drawn.push(toData(event)); drawDrawing(); } });
  window.addEventListener("pointerup", () => { pressed = false; updateDrawButtons(); });
  function updateDrawButtons() {
    $("train-drawing").disabled = drawn.length < 3;
    $("clear-drawing").disabled = drawn.length === 0;
  }
  $("draw").addEventListener("click", () => {
    drawing = !drawing;
    $("draw").setAttribute("aria-pressed", drawing ? "true" : "false");
    $("draw").textContent = drawing ? "Stop drawing" : "Draw a distribution";
    if (drawing) { post("/api/lab/pause"); drawDrawing(); $("plane").focus(); } else if (state) show(state);
  });
  $("clear-drawing").addEventListener("click", () => { drawn = []; updateDrawButtons(); if (drawing) drawDrawing(); });
  $("train-drawing").addEventListener("click", () => {
    drawing = false;
    $("draw").setAttribute("aria-pressed", "false");
    $("draw").textContent = "Draw a distribution";
    $("data").value = "custom";
    applySettings();
  });

  $("play").addEventListener("click", () => post(state && state.playing ? "/api/lab/pause" : "/api/lab/play"));
  $("step-d").addEventListener("click", () => post("/api/lab/step-d"));
  $("step-g").addEventListener("click", () => post("/api/lab/step-g"));
  $("reset").addEventListener("click", () => post("/api/lab/reset"));
  for (const id of ["objective", "lr-d", "lr-g", "ratio", "data"]) $(id).addEventListener("change", applySettings);
  for (const id of ["show-manifold", "show-arrows"]) $(id).addEventListener("change", () => state && show(state));

  // Keyboard: every control is also a key (not while typing in a field).
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    // Space on a focused button presses that button, as the browser does.
    if (event.key === " " && target.tagName !== "BUTTON") { event.preventDefault(); $("play").click(); }
    else if (event.key === "d") $("step-d").click();
    else if (event.key === "g") $("step-g").click();
    else if (event.key === "r") $("reset").click();
  });

  fetch("/api/lab").then((r) => r.json()).then(show);
  const source = new EventSource("/api/lab/events");
  source.addEventListener("lab", (event) => show(JSON.parse(event.data)));
  source.onerror = () => { $("status").textContent = "reconnecting…"; };
})();
