// The dashboard: plain JavaScript over the admin API (same origin), Chart.js served by the service itself.
'use strict';

const $ = (selector) => document.querySelector(selector);
const state = {
  pipelines: [],
  pipeline: null,
  comparison: null,
  rows: [],
  lagHistory: [],
  streams: new Map(),
};
const CLASS_COLORS = {
  explained: '#2e7d32',
  only_left: '#1565c0',
  only_right: '#6a1b9a',
  pending: '#ef6c00',
  unexplained: '#c62828',
};

async function api(method, path, body) {
  const headers = {};
  const token = $('#token').value.trim();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || `${response.status} ${response.statusText}`);
  return data;
}

function say(text, isError = false) {
  const message = $('#message');
  message.textContent = text;
  message.className = isError ? 'error' : '';
}

const escapeHtml = (value) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const time = (ms) => new Date(ms).toISOString().slice(5, 19).replace('T', ' ');

// --- pipelines, keys, results ----------------------------------------------------------------------------
async function loadPipelines() {
  state.pipelines = await api('GET', '/pipelines');
  $('#pipeline').innerHTML = state.pipelines.map((p) => `<option>${escapeHtml(p.name)}</option>`).join('');
  const saved = sessionStorage.getItem('pipeline');
  if (saved && state.pipelines.some((p) => p.name === saved)) $('#pipeline').value = saved;
  await selectPipeline();
}

async function selectPipeline() {
  state.pipeline = state.pipelines.find((p) => p.name === $('#pipeline').value) ?? state.pipelines[0];
  if (!state.pipeline) return;
  sessionStorage.setItem('pipeline', state.pipeline.name);
  $('#aggregation').innerHTML = state.pipeline.definition.aggregations
    .map((a) => `<option>${escapeHtml(a.name)}</option>`)
    .join('');
  await Promise.all([loadComparison(), loadReplays()]);
  await Promise.all([drawResults(), drawTimeline()]);
}

async function results(pipeline, view, key) {
  const query = new URLSearchParams({ view, limit: '10000' });
  if (key) query.set('key', key);
  return (await api('GET', `/pipelines/${encodeURIComponent(pipeline)}/results?${query}`)).rows;
}

let resultsChart;
async function drawResults() {
  const key = $('#key').value.trim();
  const aggregation = $('#aggregation').value;
  const [lambda, kappa] = await Promise.all([
    results(state.pipeline.name, 'lambda', key),
    results(state.pipeline.name, 'kappa', key),
  ]);
  if (!key) {
    const keys = [...new Set(kappa.map((r) => r.key))].slice(0, 200);
    $('#keys').innerHTML = keys.map((k) => `<option value="${escapeHtml(k)}">`).join('');
  }
  // per window start: one key's value, or the total over all keys
  const series = (rows) => {
    const byStart = new Map();
    for (const row of rows) {
      const value = row.values[aggregation];
      if (typeof value === 'number')
        byStart.set(row.windowStart, (byStart.get(row.windowStart) ?? 0) + value);
    }
    return byStart;
  };
  const left = series(lambda);
  const right = series(kappa);
  const starts = [...new Set([...left.keys(), ...right.keys()])].sort((a, b) => a - b).slice(-300);
  const classOf = new Map(
    state.rows.filter((r) => !key || r.key === key).map((r) => [r.windowStart, r.class]),
  );
  const pointColors = starts.map((s) => CLASS_COLORS[classOf.get(s)] ?? 'rgba(0,0,0,0)');
  const data = {
    labels: starts.map(time),
    datasets: [
      {
        label: 'Lambda',
        data: starts.map((s) => left.get(s) ?? null),
        borderColor: '#1565c0',
        pointRadius: 0,
      },
      {
        label: 'Kappa',
        data: starts.map((s) => right.get(s) ?? null),
        borderColor: '#8a94a6',
        pointRadius: starts.map((s) => (classOf.has(s) ? 5 : 0)),
        pointBackgroundColor: pointColors,
        pointBorderColor: pointColors,
      },
    ],
  };
  if (resultsChart) resultsChart.destroy();
  resultsChart = new Chart($('#results-chart'), {
    type: 'line',
    data,
    options: { animation: false, spanGaps: true, scales: { x: { ticks: { maxTicksLimit: 12 } } } },
  });
}

// --- the window timeline (toggles over the pipelines of each window type) ---------------------------------
let windowType = 'tumbling';
async function drawTimeline() {
  document
    .querySelectorAll('.toggles button')
    .forEach((b) => b.classList.toggle('active', b.dataset.window === windowType));
  const pipeline = state.pipelines.find((p) => p.definition.window.type === windowType);
  const key = $('#key').value.trim() || (await results(state.pipeline.name, 'kappa'))[0]?.key;
  const area = $('#timeline-windows');
  if (!pipeline || !key) {
    area.innerHTML = `<p>no ${windowType} pipeline or no key</p>`;
    return;
  }
  const rows = (await results(pipeline.name, 'lambda', key)).slice(-12);
  if (rows.length === 0) {
    area.innerHTML = `<p>no ${windowType} windows of ${escapeHtml(key)}</p>`;
    return;
  }
  const from = Math.min(...rows.map((r) => r.windowStart));
  const to = Math.max(...rows.map((r) => r.windowEnd));
  const x = (t) => `${((t - from) / (to - from || 1)) * 100}%`;
  $('#timeline-axis').innerHTML = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<span style="left:${f * 100}%">${time(from + f * (to - from))}</span>`)
    .join('');
  const [first, second] = pipeline.definition.aggregations.map((a) => a.name);
  area.innerHTML = rows
    .map((r, i) => {
      const label = `${first}=${r.values[first]}${second ? ` ${second}=${Number(r.values[second]).toFixed(1)}` : ''}`;
      return `<div class="window" title="${escapeHtml(key)} [${time(r.windowStart)}, ${time(r.windowEnd)})" style="left:${x(r.windowStart)};width:calc(${x(r.windowEnd)} - ${x(r.windowStart)});top:${(i % 6) * 24}px">${escapeHtml(label)}</div>`;
    })
    .join('');
}

// --- comparison, differing rows, scorecard ---------------------------------------------------------------
async function loadComparison() {
  const [latest] = await api(
    'GET',
    `/comparisons?pipeline=${encodeURIComponent(state.pipeline.name)}&limit=1`,
  );
  state.comparison = latest ? await api('GET', `/comparisons/${latest.id}?rows=1000`) : null;
  state.rows = state.comparison?.rows ?? [];
  drawComparison();
}

function drawComparison() {
  const c = state.comparison;
  if (!c || !c.summary) {
    $('#comparison-summary').textContent = c
      ? `comparison ${c.id} ${c.status}: ${c.error ?? ''}`
      : 'no comparison yet';
    $('#scorecard').innerHTML = '';
    $('#differences tbody').innerHTML = '';
    return;
  }
  const s = c.summary;
  $('#comparison-summary').innerHTML =
    `<p>${escapeHtml(c.left.source)} vs ${escapeHtml(c.right.source)} — ${escapeHtml(c.id)}, ${new Date(c.startedAt).toLocaleString()}, ${c.durationMs} ms</p>` +
    `<table id="summary-table"><tbody>${Object.entries(s.rows)
      .map(
        ([cls, n]) =>
          `<tr data-class="${cls}"><td><span class="class ${cls}">${cls}</span></td><td>${n}</td></tr>`,
      )
      .join('')}</tbody></table>` +
    `<p>late events involved: ${s.lateEventsInvolved}; sum/avg within relative ${s.tolerance.relative}</p>`;
  const sc = c.scorecard;
  const fresh = (f) => (f ? `${escapeHtml(f.jobId)}: lag ${f.lagRecords ?? '?'}` : 'none');
  const run = (r) => (r ? `${(r.durationMs / 1000).toFixed(1)} s, ${r.eventsPerSecond} events/s` : 'none');
  $('#scorecard').innerHTML = sc
    ? `<h3>Scorecard</h3><ul>
        <li>speed layer: ${fresh(sc.speed)}</li><li>newest Kappa version: ${fresh(sc.kappa)}</li>
        <li>last batch run: ${run(sc.lastBatchRun)}</li><li>last Kappa replay: ${run(sc.lastKappaReplay)}</li>
        <li>dropped as late: ${sc.lateDrops.map((d) => `${escapeHtml(d.jobId)} ${d.events}`).join(', ') || 'nothing'}</li>
        ${sc.whatIf ? `<li>what-if: ${sc.whatIf.lateEventsSaved} of ${sc.whatIf.leftLateEvents} late events saved, ${sc.whatIf.windowsChanged} windows changed</li>` : ''}
      </ul>`
    : '';
  const key = $('#key').value.trim();
  // a column per aggregation, "left → right" in it: a row's difference is read off its cell, not out of JSON
  const names = state.pipeline.definition.aggregations.map((a) => a.name);
  $('#differences thead').innerHTML = `<tr><th>key</th><th>window</th><th>class</th>${names
    .map(
      (name) =>
        `<th class="value" title="${escapeHtml(c.left.source)} → ${escapeHtml(c.right.source)}">${escapeHtml(name)}</th>`,
    )
    .join('')}<th class="reason">reason</th><th class="late">late events</th></tr>`;
  $('#differences tbody').innerHTML = state.rows
    .filter((r) => !key || r.key === key)
    .slice(0, 100)
    .map(
      (
        r,
      ) => `<tr><td>${escapeHtml(r.key)}</td><td class="window-bounds">${time(r.windowStart)} – ${time(r.windowEnd)}</td>
        <td><span class="class ${r.class}">${r.class}</span></td>${names.map((name) => valueCell(r, name)).join('')}
        <td class="reason">${escapeHtml(r.reason)}</td>
        <td class="late">${lateEventsCell(r.lateEventIds)}</td></tr>`,
    )
    .join('');
}

/** One aggregation of a differing row: `left → right`, marked when the two differ; `–` for a missing side. */
function valueCell(row, name) {
  const show = (values) => {
    const value = values?.[name];
    if (value === undefined || value === null) return '–';
    return Number.isInteger(value)
      ? String(value)
      : Number(value)
          .toPrecision(6)
          .replace(/\.?0+$/, '');
  };
  const left = show(row.leftValues);
  const right = show(row.rightValues);
  if (left === right) return `<td class="value" title="${left}">${left}</td>`;
  return `<td class="value differs" title="${left} → ${right}">${left} → ${right}</td>`;
}

/** The late events behind a row: the first few ids, and how many more (all of them in the tooltip). */
function lateEventsCell(ids) {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, 3).map((id) => `<code>${escapeHtml(id)}</code>`);
  const more = ids.length > 3 ? ` <span class="more">+${ids.length - 3}</span>` : '';
  return `<span title="${escapeHtml(ids.join(' '))}">${shown.join(' ')}${more}</span>`;
}

// --- replays with live progress --------------------------------------------------------------------------
async function loadReplays() {
  const runs = await api('GET', `/replays?pipeline=${encodeURIComponent(state.pipeline.name)}&limit=8`);
  $('#runs').innerHTML = runs.map(runHtml).join('');
  for (const run of runs) if (run.status === 'queued' || run.status === 'running') follow(run.id);
}

function runHtml(run) {
  return `<div class="run" id="run-${run.id}" data-status="${run.status}">
    <div>${escapeHtml(run.id)} <b class="status">${run.status}</b> ${run.mode} → ${escapeHtml(run.jobId)}
      <span class="count">${run.progress.consumed}/${run.progress.records}</span></div>
    <div class="bar total"><span style="width:${(run.progress.fraction * 100).toFixed(1)}%"></span></div>
    <div class="partitions">${run.partitions
      .map((p) => {
        const size = p.endOffset - p.startOffset;
        const f = size === 0 ? 1 : (p.nextOffset - p.startOffset) / size;
        return `<div class="bar" title="partition ${p.partition}"><span style="width:${(f * 100).toFixed(0)}%"></span></div>`;
      })
      .join('')}</div></div>`;
}

function follow(id) {
  if (state.streams.has(id)) return;
  const source = new EventSource(`/replays/${id}/events`);
  state.streams.set(id, source);
  const render = (event) => {
    const run = JSON.parse(event.data);
    const element = document.getElementById(`run-${id}`);
    if (element) element.outerHTML = runHtml(run);
    else $('#runs').insertAdjacentHTML('afterbegin', runHtml(run));
  };
  source.addEventListener('progress', render);
  source.addEventListener('end', (event) => {
    render(event);
    source.close();
    state.streams.delete(id);
    // the merge service compares after every replay; show its result when it lands
    setTimeout(
      () =>
        loadComparison()
          .then(drawResults)
          .catch(() => undefined),
      2000,
    );
  });
}

async function startReplay(mode) {
  try {
    const started = await api('POST', '/replays', { mode, pipelines: [state.pipeline.name] });
    say(`started ${started.id}`);
    for (const run of started.runs) {
      $('#runs').insertAdjacentHTML('afterbegin', runHtml(run));
      follow(run.id);
    }
  } catch (error) {
    say(error.message, true);
  }
}

async function compareNow() {
  try {
    const report = await api('POST', '/comparisons', { pipeline: state.pipeline.name });
    say(`compared: ${report.summary.rows.unexplained} unexplained`);
    await loadComparison();
    await drawResults();
  } catch (error) {
    say(error.message, true);
  }
}

// --- lag over time ----------------------------------------------------------------------------------------
let lagChart;
async function pollLag() {
  try {
    const jobs = (await api('GET', '/lag')).filter((j) => j.pipeline === state.pipeline?.name);
    state.lagHistory.push({ at: new Date(), jobs });
    state.lagHistory = state.lagHistory.slice(-120);
    // per partition of the serving version, and each other version's total (a Kappa replay catching up)
    const serving = jobs.find((j) => j.serving);
    const others = [
      ...new Set(state.lagHistory.flatMap((h) => h.jobs.filter((j) => !j.serving).map((j) => j.jobId))),
    ];
    const data = {
      labels: state.lagHistory.map((h) => h.at.toLocaleTimeString()),
      datasets: [
        ...(serving?.partitions ?? []).map((p) => ({
          label: `p${p.partition}`,
          data: state.lagHistory.map(
            (h) =>
              h.jobs
                .find((j) => j.jobId === serving.jobId)
                ?.partitions.find((q) => q.partition === p.partition)?.lag ?? null,
          ),
          pointRadius: 0,
        })),
        ...others.map((name) => ({
          label: `${name} (total)`,
          data: state.lagHistory.map((h) => h.jobs.find((j) => j.jobId === name)?.lag ?? null),
          pointRadius: 0,
          borderDash: [4, 4],
        })),
      ],
    };
    if (lagChart) {
      lagChart.data = data;
      lagChart.update('none');
    } else lagChart = new Chart($('#lag-chart'), { type: 'line', data, options: { animation: false } });
    $('#lag-partitions').textContent = serving
      ? `${serving.jobId} per partition: ${serving.partitions.map((p) => `p${p.partition} ${p.lag}`).join(', ')}`
      : '';
  } catch (error) {
    $('#lag-partitions').textContent = `lag unavailable: ${error.message}`;
  }
}

// --- wiring -----------------------------------------------------------------------------------------------
$('#token').value = sessionStorage.getItem('token') ?? '';
$('#token').addEventListener('change', () => sessionStorage.setItem('token', $('#token').value.trim()));
$('#pipeline').addEventListener('change', () => selectPipeline().catch((e) => say(e.message, true)));
$('#key').addEventListener('change', () =>
  Promise.all([drawResults(), drawTimeline()])
    .then(drawComparison)
    .catch((e) => say(e.message, true)),
);
$('#aggregation').addEventListener('change', () => drawResults().catch((e) => say(e.message, true)));
$('#start-batch').addEventListener('click', () => startReplay('batch'));
$('#start-kappa').addEventListener('click', () => startReplay('kappa'));
$('#compare').addEventListener('click', compareNow);
document.querySelectorAll('.toggles button').forEach((button) =>
  button.addEventListener('click', () => {
    windowType = button.dataset.window;
    drawTimeline().catch((e) => say(e.message, true));
  }),
);
loadPipelines()
  .then(pollLag)
  .catch((error) => say(error.message, true));
setInterval(pollLag, 5000);
