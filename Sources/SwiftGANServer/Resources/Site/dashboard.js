// SwiftGAN dashboard: the runs' curves, evaluations, samples, config and
// command, updated live from the server's event streams (no reload).
"use strict";
(function () {
  const runs = new Map();        // name -> {summary, records, source}
  let compared = [];             // names drawn on the charts, the first is the primary run
  let pending = false;
  let shownSample = null;
  let followLatest = true;     // the sample slider stays on the newest grid until moved

  const $ = (id) => document.getElementById(id);

  // Where a metrics key is drawn (as ChartPanels in the Swift library).
  function group(key) {
    if (key.startsWith("eval/class/")) return null;
    if (key.startsWith("eval/")) return key;
    if (key === "loss/gradient_penalty") return "penalty";
    const slash = key.indexOf("/");
    return slash < 0 ? key : key.slice(0, slash);
  }
  const titles = {
    loss: "Losses", score: "D(x) and D(G(z))", grad_norm: "Gradient norms", penalty: "Gradient penalty",
    lr: "Learning rates", speed: "Samples per second", "eval/fid": "FID (lower is better)",
    "eval/reverse_kl": "Reverse KL of the modes (lower is better)", "eval/modes": "Modes captured",
    "eval/high_quality": "High-quality samples (fraction)", "eval/classes_covered": "Classes with at least 1% of samples",
    "eval/kid": "KID (lower is better)", "eval/precision": "Precision (k = 3)", "eval/recall": "Recall (k = 3)",
    "eval/density": "Density (k = 5)", "eval/coverage": "Coverage (k = 5)",
  };
  function label(key) {
    if (key === "score/real") return "D(x)";
    if (key === "score/fake") return "D(G(z))";
    if (key === "loss/gradient_penalty") return "penalty";
    const slash = key.indexOf("/");
    return slash < 0 ? key : key.slice(slash + 1);
  }
  const order = ["loss", "score", "grad_norm", "penalty", "lr", "speed"];
  function rank(name) { const i = order.indexOf(name); return i >= 0 ? i : name.startsWith("eval/") ? 100 : 50; }

  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  }

  function connect(name) {
    const run = { summary: null, records: [], source: null };
    runs.set(name, run);
    const source = new EventSource(`/api/runs/${encodeURIComponent(name)}/events`);
    run.source = source;
    source.addEventListener("metrics", (event) => {
      const chunk = JSON.parse(event.data);
      if (chunk.reset) run.records = [];
      for (const record of chunk.records) run.records.push(record);
      schedule();
    });
    source.addEventListener("run", (event) => {
      const before = run.summary;
      run.summary = JSON.parse(event.data);
      if (run.summary.isMixture && name === compared[0] && (!before || before.checkpointStep !== run.summary.checkpointStep)) loadMixture(name);
      schedule();
      renderRunTable();
    });
    source.onopen = () => { $("connection").textContent = "live"; };
    source.onerror = () => { $("connection").textContent = "reconnecting…"; };
  }

  function disconnect(name) {
    const run = runs.get(name);
    if (run && run.source) run.source.close();
    runs.delete(name);
  }

  function setCompared(names) {
    for (const name of [...runs.keys()]) if (!names.includes(name)) disconnect(name);
    const primaryChanged = compared[0] !== names[0];
    compared = names;
    const primary = runs.get(names[0]);
    if (primaryChanged && primary && primary.summary && primary.summary.isMixture) loadMixture(names[0]);
    for (const name of names) if (!runs.has(name)) connect(name);
    shownSample = null;
    followLatest = true;
    schedule();
  }

  function charts() {
    const smoothing = Number($("smoothing").value);
    const groups = new Map(), marks = new Map();
    const several = compared.length > 1;
    for (const name of compared) {
      const run = runs.get(name);
      if (!run) continue;
      const byKey = new Map();
      for (const record of run.records) {
        for (const key in record.values) {
          const value = record.values[key];
          if (value === null || group(key) === null) continue;
          if (!byKey.has(key)) byKey.set(key, []);
          byKey.get(key).push([record.step, value]);
        }
      }
      // A penalty that is not in the objective is logged as 0: no chart for it.
      const penalty = byKey.get("loss/gradient_penalty");
      if (penalty && penalty.every((p) => p[1] === 0)) byKey.delete("loss/gradient_penalty");
      for (const key of [...byKey.keys()].sort()) {
        const points = byKey.get(key).sort((a, b) => a[0] - b[0]);
        const g = group(key);
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push({ label: several ? `${name}: ${label(key)}` : label(key), points: key.startsWith("eval/") ? points : SG.smooth(points, smoothing) });
        if (key === "eval/fid" || key === "eval/reverse_kl") {
          const best = points.reduce((a, b) => (b[1] < a[1] ? b : a));
          if (!marks.has(g)) marks.set(g, []);
          marks.get(g).push({ x: best[0], label: several ? `${name} best` : "best" });
        }
      }
    }
    return [...groups.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))
      .map((key) => ({ key, title: titles[key] || key, series: groups.get(key), marks: marks.get(key) || [] }));
  }

  function render() {
    const all = charts();
    const training = all.filter((c) => !c.key.startsWith("eval/"));
    const evaluation = all.filter((c) => c.key.startsWith("eval/"));
    $("charts").replaceChildren(...training.map((c) => SG.drawChart(c)));
    $("evaluation").replaceChildren(...evaluation.map((c) => SG.drawChart(c)));
    const primary = runs.get(compared[0]);
    const histogram = primary ? latestHistogram(primary.records) : null;
    if (histogram) {
      $("evaluation").appendChild(SG.drawBars(histogram.fractions, `Predicted classes of the samples at step ${histogram.step}`));
    }
    $("evaluation-section").classList.toggle("hidden", evaluation.length === 0 && !histogram);
    renderPrimary(primary);
  }

  function latestHistogram(records) {
    for (let i = records.length - 1; i >= 0; i--) {
      const fractions = [];
      for (const key in records[i].values) {
        if (key.startsWith("eval/class/")) fractions[Number(key.slice(11))] = records[i].values[key];
      }
      if (fractions.length) return { step: records[i].step, fractions: Array.from(fractions, (v) => v || 0) };
    }
    return null;
  }

  function renderPrimary(run) {
    if (!run || !run.summary) return;
    const summary = run.summary;
    $("title").textContent = `${summary.name} · ${summary.kind}${summary.isMixture ? " (2-D)" : ""} · step ${summary.checkpointStep ?? 0} of ${summary.totalSteps ?? "?"}${summary.isTraining ? " · training" : ""}`;
    const steps = summary.sampleSteps;
    const slider = $("sample-step");
    slider.max = Math.max(steps.length - 1, 0);
    if (followLatest || Number(slider.value) >= steps.length) slider.value = Math.max(steps.length - 1, 0);
    const chosen = steps[Number(slider.value)];
    const latest = steps[steps.length - 1];
    const file = (step) => `/api/runs/${encodeURIComponent(summary.name)}/file/samples/step-${String(step).padStart(6, "0")}.png`;
    if (chosen !== undefined && shownSample !== chosen) {
      $("sample-chosen").src = file(chosen);
      $("sample-chosen-caption").textContent = `step ${chosen}`;
      $("sample-step-value").textContent = `step ${chosen} (${Number(slider.value) + 1} of ${steps.length})`;
      shownSample = chosen;
    }
    if (latest !== undefined && $("sample-latest").dataset.grid !== `${summary.name}:${latest}`) {
      $("sample-latest").src = file(latest);
      $("sample-latest").dataset.grid = `${summary.name}:${latest}`;
      $("sample-latest-caption").textContent = `newest: step ${latest}`;
    }
    $("sample-note").textContent = summary.kind === "translation" ? "rows: input | output | target"
      : summary.kind === "cyclegan" ? "rows: A, G(A), F(G(A)); then B, F(B), G(F(B))" : "";
    $("config").textContent = summary.config ? JSON.stringify(summary.config, null, 2) : "(no config.json yet)";
    const sessions = (summary.record && summary.record.sessions) || [];
    $("command").textContent = sessions.length
      ? sessions.map((s) => `${s.command.join(" ")}    # ${s.started}, ${s.threads} threads, from step ${s.step}${s.version ? `, SwiftGAN ${s.version}` : ""}`).join("\n")
      : "(no run.json: the command is not recorded)";
    $("mixture-section").classList.toggle("hidden", !summary.isMixture);
  }

  async function loadMixture(name) {
    try {
      const response = await fetch(`/api/runs/${encodeURIComponent(name)}/mixture`);
      if (!response.ok) return;
      const view = await response.json();
      SG.drawMixture($("mixture"), view);
      $("mixture-step").textContent = `checkpoint at step ${view.step}`;
      if (view.samplesPerMode) {
        $("modes").replaceChildren(SG.drawBars(view.samplesPerMode, `Generated samples per mode (${view.mixture})`, null, 360, 160));
      }
    } catch (error) { /* the next checkpoint retries */ }
  }

  let tableKey = "";
  function renderRunTable() {
    // Rebuilt only when something shown changed, so a focused checkbox keeps its focus.
    const key = JSON.stringify([compared, allRuns.map((s) => [s.name, s.kind, s.checkpointStep, s.isTraining])]);
    if (key === tableKey) return;
    tableKey = key;
    const body = $("runs");
    body.replaceChildren(...allRuns.map((summary) => {
      const row = document.createElement("tr");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = compared.includes(summary.name);
      box.setAttribute("aria-label", `compare ${summary.name}`);
      box.addEventListener("change", () => {
        const names = allRuns.map((s) => s.name).filter((n) => n === summary.name ? box.checked : compared.includes(n));
        setCompared(names.length ? names : [summary.name]);
        renderRunTable();
      });
      const cells = [box, summary.name, summary.kind + (summary.isMixture ? " (2-D)" : ""), String(summary.checkpointStep ?? 0), summary.isTraining ? "training" : ""];
      for (const cell of cells) {
        const td = document.createElement("td");
        if (typeof cell === "string") td.textContent = cell; else td.appendChild(cell);
        row.appendChild(td);
      }
      return row;
    }));
  }

  let allRuns = [];
  async function refreshRunList() {
    try {
      const response = await fetch("/api/runs");
      allRuns = await response.json();
      $("runs-section").classList.toggle("hidden", allRuns.length < 2);
      if (!compared.length && allRuns.length) {
        const wanted = new URLSearchParams(location.search).get("compare");
        const names = wanted ? wanted.split(",").filter((n) => allRuns.some((s) => s.name === n)) : [];
        setCompared(names.length ? names : [allRuns[0].name]);
      }
      renderRunTable();
      if (!allRuns.length) $("title").textContent = "no runs yet";
    } catch (error) { $("connection").textContent = "server unreachable"; }
  }

  $("smoothing").addEventListener("input", () => {
    $("smoothing-value").textContent = Number($("smoothing").value).toFixed(2);
    schedule();
  });
  $("sample-step").addEventListener("input", () => {
    followLatest = Number($("sample-step").value) === Number($("sample-step").max);
    schedule();
  });
  refreshRunList();
  setInterval(refreshRunList, 5000);
})();
