// The operator console: plain JavaScript against the bundle's own API (docs/openapi.yaml), no build step.
// Overview and dead letters refresh every 3 s; every failed call shows its status and the API's error message.
'use strict';
const $ = id => document.getElementById(id);
const REFRESH_MS = 3000;
const SHARDS_SHOWN = 64;
let page = 'overview';
let deadCursor = null;       // cursor of the dead-letter page shown (null: the first)
let deadNext = null;         // nextCursor of that page
const selected = new Set();  // dead-letter ids ticked, kept across refreshes

async function api(method, path, body) {
  const init = {method, headers: {}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new Error(`${method} ${path}: the bundle did not answer (${e.message})`);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { /* not JSON: keep the text */ }
  if (!response.ok) {
    const what = json && json.message ? json.message : text || response.statusText;
    throw new Error(`${method} ${path} answered ${response.status}${json && json.error ? ' ' + json.error : ''}: ${what}`);
  }
  return json;
}

let generation = 0;           // bumped by every action and page change: older answers are not shown
let refreshing = false;
let errorFrom = null;          // 'refresh' or 'action': a refresh that works clears only its own errors

function showError(error, from = 'action') {
  errorFrom = from;
  $('error').textContent = error.message;
  $('error').hidden = false;
}

function notice(text) {
  $('error').hidden = true;
  $('notice').textContent = text;
  $('notice').hidden = false;
  setTimeout(() => { $('notice').hidden = true; }, 6000);
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.className = className;
  return td;
}

function fill(tableId, items, render) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren();
  for (const item of items) render(body.insertRow(), item);
}

const number = n => Number(n).toLocaleString('en');
const age = seconds => seconds < 1 ? '0 s' : seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
const when = iso => iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';

// ---- overview

async function refreshOverview() {
  const asked = generation;
  const [o, layout] = await Promise.all([api('GET', '/api/operator/overview'), api('GET', '/api/operator/layout')]);
  if (asked !== generation) return;
  showLayout(layout);
  $('instance').textContent = 'instance ' + o.instance;
  $('total-overdue').textContent = number(o.totals.overdue);
  $('total-scheduled').textContent = number(o.totals.scheduled);
  $('total-inflight').textContent = number(o.totals.inFlight);
  $('total-dead').textContent = number(o.totals.dead);
  $('oldest').textContent = age(o.totals.oldestOverdueSeconds);
  const claiming = $('claiming');
  claiming.textContent = !o.dispatching ? 'off (ingest only)' : o.claimingPaused ? 'paused by an operator'
      : o.circuitOpen ? 'paused: deliveries failing' : 'running';
  claiming.className = 'value ' + (o.dispatching && !o.claimingPaused && !o.circuitOpen ? 'running' : 'paused');
  $('pause').disabled = o.claimingPaused || !o.dispatching;
  $('resume').disabled = !o.claimingPaused;
  $('as-of').textContent = 'as of ' + when(o.asOf);
  const now = Date.now();
  fill('instances', o.instances, (row, i) => {
    cell(row, i.id);
    cell(row, `${age((now - Date.parse(i.lastSeen)) / 1000)} ago`);
    cell(row, i.alive ? 'alive' : 'gone (its claims return after their lease)', i.alive ? 'state-alive' : 'state-down');
  });
  // the busiest shards first, at most SHARDS_SHOWN of them (a fleet may have thousands), then in shard order
  const load = s => s.overdue + s.inFlight;
  const busiest = [...o.shards].sort((a, b) => load(b) - load(a) || b.dead - a.dead || a.shard - b.shard)
      .slice(0, SHARDS_SHOWN).sort((a, b) => a.shard - b.shard);
  $('shards-hidden').textContent = o.shards.length > SHARDS_SHOWN
      ? `the ${SHARDS_SHOWN} busiest of ${o.shards.length} shards` : '';
  const most = Math.max(1, ...busiest.map(load));
  fill('shards', busiest, (row, s) => {
    cell(row, s.shard, 'num');
    cell(row, number(s.overdue), 'num');
    cell(row, number(s.scheduled), 'num');
    cell(row, number(s.inFlight), 'num');
    cell(row, number(s.dead), 'num');
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${Math.round(100 * load(s) / most)}px`;
    bar.title = 'overdue + in flight';
    cell(row, '').append(bar);
  });
  chart($('chart-rate'), o.history, [['rate', s => s.deliveredPerSecond]]);
  chart($('chart-lateness'), o.history, [['mean', s => s.latenessMeanMillis], ['max', s => s.latenessMaxMillis]]);
}

/** A line chart in an SVG: one polyline per series, scaled to the largest value, labelled with it. */
function chart(svg, samples, series) {
  const width = 400, height = 120, top = 12;
  const values = samples.flatMap(s => series.map(([, pick]) => pick(s)));
  const most = Math.max(1, ...values);
  svg.replaceChildren();
  const axis = document.createElementNS('http://www.w3.org/2000/svg', 'line');
  axis.setAttribute('x1', 0); axis.setAttribute('x2', width);
  axis.setAttribute('y1', height - 0.5); axis.setAttribute('y2', height - 0.5);
  axis.setAttribute('class', 'axis');
  svg.append(axis);
  const label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  label.setAttribute('x', 2);
  label.setAttribute('y', 9);
  label.textContent = samples.length ? `max ${number(Math.round(most))}` : 'no samples yet (one every 5 s)';
  svg.append(label);
  for (const [name, pick] of series) {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('class', name);
    const step = width / Math.max(1, 59);
    line.setAttribute('points', samples.map((s, i) =>
        `${(i * step).toFixed(1)},${(height - 2 - (height - top - 2) * pick(s) / most).toFixed(1)}`).join(' '));
    svg.append(line);
  }
}

/** The layout record: the shard count (or the migration running), the mapping and the latest migration. */
function showLayout(l) {
  $('layout').textContent = l.migrating ? `${l.shards.count} → ${l.target.count}` : `${l.shards.count} shards`;
  const latest = !l.startedAt ? '' : l.migrating
      ? `, migrating since ${when(l.startedAt)}: ${number(l.moved)} moved`
      : `, last change moved ${number(l.moved)} in ${age((Date.parse(l.finishedAt) - Date.parse(l.startedAt)) / 1000)}`;
  $('layout-detail').textContent = `${l.shards.hash}, epoch ${l.epoch}${latest}`;
  $('reshard-start').disabled = l.migrating;
}

async function reshard(event) {
  event.preventDefault();
  const count = Number($('reshard-count').value);
  if (!confirm(`Move every instance to ${count} shards? Reminders move while they are delivered.`)) return;
  generation++;
  try {
    const l = await api('POST', '/api/operator/layout', {shardCount: count});
    notice(`Resharding to ${l.target.count} shards started (epoch ${l.epoch}).`);
    await refreshOverview();
  } catch (e) {
    showError(e);
  }
}

async function setClaiming(action) {
  generation++;
  try {
    const state = await api('POST', `/api/operator/claiming/${action}`);
    notice(`Claiming on ${state.instance} is ${state.claimingPaused ? 'paused' : 'running'}.`);
    await refreshOverview();
  } catch (e) {
    showError(e);
  }
}

// ---- reminders

async function lookUp(event) {
  event.preventDefault();
  const user = $('lookup-user').value.trim();
  const subject = $('lookup-subject').value.trim();
  try {
    let items;
    if (subject) {
      items = [await api('GET', `/api/reminders/${encodeURIComponent(user)}/${encodeURIComponent(subject)}`)];
      $('lookup-summary').textContent = `${user}:${subject} in shard ${items[0].shard}`;
    } else {
      const list = await api('GET', `/api/reminders/${encodeURIComponent(user)}?limit=200`);
      items = list.items;
      $('lookup-summary').textContent = `${items.length} reminders of ${user}${list.truncated ? ' (there are more; 200 shown)' : ''}, shard ${list.shard}`;
    }
    $('error').hidden = true;
    fill('user-reminders', items, (row, r) => {
      cell(row, r.subject);
      cell(row, r.state, 'state-' + r.state);
      cell(row, when(r.dueAt));
      cell(row, r.revision, 'num');
      cell(row, r.channel || '(default)');
      cell(row, r.title);
      cell(row, r.body);
    });
  } catch (e) {
    fill('user-reminders', [], () => {});
    $('lookup-summary').textContent = '';
    showError(e);
  }
}

// ---- dead letters

async function refreshDead() {
  const path = '/api/dead-letters?limit=50' + (deadCursor ? '&cursor=' + encodeURIComponent(deadCursor) : '');
  const asked = generation;
  const page = await api('GET', path);
  if (asked !== generation) return;
  deadNext = page.nextCursor;
  $('next-page').disabled = !deadNext;
  $('dead-summary').textContent = `${number(page.total)} dead letters; this page ${page.items.length}`;
  const shown = new Set(page.items.map(d => d.id));
  for (const id of [...selected]) if (!shown.has(id)) selected.delete(id);
  fill('dead', page.items, (row, d) => {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = selected.has(d.id);
    box.setAttribute('aria-label', 'select ' + d.id);
    box.onchange = () => box.checked ? selected.add(d.id) : selected.delete(d.id);
    cell(row, '').append(box);
    cell(row, d.id);
    cell(row, d.reason);
    cell(row, d.error, 'error');
    cell(row, d.attempts, 'num');
    cell(row, d.channel);
    cell(row, when(d.deadAt));
    const actions = cell(row, '');
    actions.append(button('Redrive', () => redrive([d.id])), ' ', button('Delete', () => discard([d.id])));
  });
  $('select-all').checked = page.items.length > 0 && page.items.every(d => selected.has(d.id));
}

function button(text, action) {
  const b = document.createElement('button');
  b.textContent = text;
  b.onclick = action;
  return b;
}

async function redrive(ids) {
  generation++;
  try {
    if (ids !== null && ids.length === 0) throw new Error('Select the dead letters to redrive first.');
    const result = await api('POST', '/api/dead-letters/redrive', ids === null ? {} : {ids});
    ids && ids.forEach(id => selected.delete(id));
    notice(`Redriven ${result.redriven}, superseded by a newer schedule ${result.superseded}, unknown ${result.unknown}.`);
    await refreshDead();
  } catch (e) {
    showError(e);
  }
}

async function discard(ids) {
  generation++;
  try {
    if (ids.length === 0) throw new Error('Select the dead letters to delete first.');
    const failures = [];
    for (const id of ids) {
      try {
        await api('DELETE', '/api/dead-letters/' + encodeURIComponent(id));
        selected.delete(id);
      } catch (e) {
        failures.push(e.message);
      }
    }
    if (failures.length) throw new Error(failures.join('; '));
    notice(`Deleted ${ids.length}.`);
    await refreshDead();
  } catch (e) {
    showError(e);
  }
}

// ---- pages and refresh

function show() {
  generation++;
  page = (location.hash || '#overview').slice(1);
  if (!['overview', 'reminders', 'dead-letters'].includes(page)) page = 'overview';
  for (const section of document.querySelectorAll('.page')) section.hidden = section.id !== page;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.page === page);
  $('error').hidden = true;   // messages belong to the page they came from
  $('notice').hidden = true;
  refresh(true);
}

/** The poll; {@code now}: a page change, which does not wait for a poll in flight (whose answer is dropped). */
async function refresh(now = false) {
  if (refreshing && !now) return; // a slow answer is not overtaken by the next poll
  refreshing = true;
  try {
    if (page === 'overview') await refreshOverview();
    else if (page === 'dead-letters') await refreshDead();
    else return;
    $('refreshed').textContent = 'refreshed ' + new Date().toLocaleTimeString('en-GB');
    if (errorFrom === 'refresh') $('error').hidden = true;
  } catch (e) {
    showError(e, 'refresh');
  } finally {
    refreshing = false;
  }
}

$('pause').onclick = () => setClaiming('pause');
$('resume').onclick = () => setClaiming('resume');
$('lookup').onsubmit = lookUp;
$('reshard').onsubmit = reshard;
$('redrive-selected').onclick = () => redrive([...selected]);
$('delete-selected').onclick = () => discard([...selected]);
$('redrive-all').onclick = () => { if (confirm('Redrive every dead letter?')) redrive(null); };
$('first-page').onclick = () => { generation++; deadCursor = null; refreshDead().catch(showError); };
$('next-page').onclick = () => { if (deadNext) { generation++; deadCursor = deadNext; refreshDead().catch(showError); } };
$('select-all').onchange = event => {
  for (const box of $('dead').tBodies[0].querySelectorAll('input[type=checkbox]')) {
    box.checked = event.target.checked;
    box.onchange();
  }
};
window.addEventListener('hashchange', show);
setInterval(refresh, REFRESH_MS);
show();
