// tourniquet web UI: plain JavaScript, no framework. Every value from the case is put into
// the page with textContent (via el()), never as HTML: evidence is attacker-written.
'use strict';

// nav: the number of the navigation in progress; a page's answers are shown only while it is
// still the current one (a slower, older response must never overwrite a newer tab). abort:
// the current navigation's AbortController, so the older requests stop.
const state = { session: null, clockSkew: 0, timers: [], nav: 0, abort: null, info: null, attackers: null };

// el('td', {class: 'x'}, 'text', child, ...): strings become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'value') node.value = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(show(c)));
  }
  return node;
}

// The server's JSON writer keeps any byte string: a backslash comes as "\\" and an invalid
// UTF-8 byte as "\xNN" in the decoded text. Show the backslash once.
function show(v) {
  return typeof v === 'string' ? v.replace(/\\\\/g, '\\') : String(v);
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, body) {
  const opts = { credentials: 'same-origin', headers: {} };
  if (body === undefined && state.abort) opts.signal = state.abort.signal;
  if (body !== undefined) {
    opts.method = 'POST';
    opts.headers['Content-Type'] = 'application/json';
    if (state.session) opts.headers['X-CSRF-Token'] = state.session.csrf;
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/login') showLogin();
    throw new ApiError(res.status, (data && data.error) || res.statusText);
  }
  return data;
}

function can(perm) { return !!state.session && state.session.permissions.includes(perm); }

const pages = [
  { hash: '', title: 'Overview', perm: 'case_overview', render: renderOverview },
  { hash: 'story', title: 'Story', perm: 'evidence', render: renderStory },
  { hash: 'timeline', title: 'Timeline', perm: 'evidence', render: renderTimeline },
  { hash: 'findings', title: 'Findings', perm: 'evidence', render: renderFindings },
  { hash: 'attackers', title: 'Attackers', perm: 'evidence', render: renderAttackers },
  { hash: 'scope', title: 'Affected', perm: 'affected_list', render: renderScope },
  { hash: 'letters', title: 'Letters', perm: 'letters', render: renderLetters },
  { hash: 'tasks', title: 'Tasks', perm: 'tasks_read', render: renderTasks },
  { hash: 'postmortem', title: 'Post-mortem', perm: 'postmortem_read', render: renderPostmortem },
  { hash: 'reports', title: 'Reports', perm: 'reports', render: renderReports },
  { hash: 'audit', title: 'Audit log', perm: 'audit', render: renderAudit },
  { hash: 'evidence', title: 'Evidence', perm: 'evidence', render: renderEvidence, hidden: true },
  { hash: 'finding', title: 'Finding', perm: 'evidence', render: renderFinding, hidden: true },
];

function showLogin() {
  state.session = null;
  state.info = null;
  state.attackers = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('who').replaceChildren();
  document.getElementById('view').replaceChildren();
  document.getElementById('login').hidden = false;
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...pages.filter(p => !p.hidden && can(p.perm)).map(p =>
    el('a', { href: '#/' + p.hash, class: p === current ? 'active' : null }, p.title)));
  nav.hidden = false;
  const who = document.getElementById('who');
  who.replaceChildren(state.session.user + ' (' + state.session.role + ') ',
    el('button', { id: 'logout', onclick: logout }, 'Log out'));
}

async function logout() {
  try { await api('/api/logout', {}); } catch (e) { /* session already gone */ }
  showLogin();
}

async function route() {
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
  const nav = ++state.nav;
  if (state.abort) state.abort.abort();
  state.abort = new AbortController();
  if (!state.session) {
    try { state.session = await api('/api/session'); } catch (e) { return; }
    if (nav !== state.nav) return;
  }
  state.clockSkew = Date.parse(state.session.now) - Date.now();
  document.getElementById('login').hidden = true;
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const page = pages.find(p => p.hash === parts[0]) || pages[0];
  renderNav(page);
  const view = document.getElementById('view');
  view.replaceChildren(el('h1', {}, page.title), el('p', { class: 'muted' }, 'Loading…'));
  view.dataset.page = page.hash || 'overview';
  delete view.dataset.ready;
  try {
    if (!state.info) state.info = (await api('/api/case')).case;
    const content = await page.render(parts.slice(1));
    if (nav !== state.nav) return;  // the user went elsewhere meanwhile
    view.replaceChildren(el('h1', {}, page.title), content);
    view.dataset.ready = page.hash || 'overview';
  } catch (e) {
    if (nav !== state.nav || e.name === 'AbortError') return;
    view.replaceChildren(el('h1', {}, page.title),
      el('p', { class: 'error', id: 'page-error' },
        e.status === 403 ? 'Not for your role: ' + e.message : 'Error: ' + e.message));
  }
}

// ---- helpers ----

// Times: UTC first (what the evidence and the other tools use), then the store's own clock.
function fmtTime(iso) {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

let zoneFormat = null;
function fmtLocal(iso) {
  const zone = state.info && state.info.timezone;
  if (!iso || !zone || zone === 'UTC') return '';
  try {
    if (!zoneFormat || zoneFormat.zone !== zone) {
      zoneFormat = { zone, f: new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }) };
    }
    return zoneFormat.f.format(new Date(iso)) + ' ' + zone;
  } catch (e) { return ''; }
}

function timeEl(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  const local = fmtLocal(iso);
  return el('span', { class: 'time' }, el('span', { class: 'utc' }, fmtTime(iso)),
    local ? el('span', { class: 'local muted' }, local) : null);
}

const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

// A JSON detail (from the case: attacker-written values inside) as an expandable list.
function detailEl(json, open) {
  let v = json;
  if (typeof json === 'string') {
    // The server writes a backslash in case bytes as two (see show()): undo that first.
    try { v = JSON.parse(show(json)); } catch (e) { return el('span', { class: 'wrap' }, json); }
  }
  if (v === null || (typeof v === 'object' && !Object.keys(v).length)) return el('span', { class: 'muted' }, '');
  // Built when first opened: a page of 100 findings stays quick to draw.
  const box = el('details', { class: 'detail', open: !!open }, el('summary', {}, 'details'));
  let built = false;
  const build = () => { if (!built) { built = true; box.append(valueEl(v, 0)); } };
  if (open) build(); else box.addEventListener('toggle', build);
  return box;
}

function valueEl(v, depth) {
  if (v === null || v === undefined) return el('span', { class: 'muted' }, '—');
  if (Array.isArray(v)) {
    if (!v.length) return el('span', { class: 'muted' }, 'none');
    return el('ul', { class: 'kv-list' }, v.slice(0, 200).map(x => el('li', {}, valueEl(x, depth + 1))),
      v.length > 200 ? el('li', { class: 'muted' }, `and ${v.length - 200} more`) : null);
  }
  if (typeof v === 'object') {
    if (depth > 4) return el('span', { class: 'wrap' }, JSON.stringify(v));
    return el('dl', { class: 'kv' }, Object.entries(v).map(([k, x]) => [el('dt', {}, k.replace(/_/g, ' ')), el('dd', {}, valueEl(x, depth + 1))]));
  }
  if (typeof v === 'string' && ISO_RE.test(v)) return timeEl(v);
  return el('span', { class: 'wrap' }, v);
}

function countdown(iso) {
  const span = el('span', {});
  const due = Date.parse(iso);
  const tick = () => {
    const ms = due - (Date.now() + state.clockSkew);
    const a = Math.abs(ms);
    const d = Math.floor(a / 86400000), h = Math.floor(a / 3600000) % 24;
    const m = Math.floor(a / 60000) % 60, s = Math.floor(a / 1000) % 60;
    const text = (d ? d + 'd ' : '') + h + 'h ' + String(m).padStart(2, '0') + 'm ' +
      String(s).padStart(2, '0') + 's';
    span.textContent = ms >= 0 ? 'in ' + text : 'overdue by ' + text;
    span.className = ms >= 0 ? '' : 'overdue';
  };
  tick();
  state.timers.push(setInterval(tick, 1000));
  return span;
}

function table(columns, rows, cell, labels) {
  return el('table', {},
    el('thead', {}, el('tr', {}, columns.map(c => el('th', {}, (labels && labels[c]) || c.replace(/_/g, ' '))))),
    el('tbody', {}, rows.map(r => el('tr', {}, columns.map(c => cell(r, c))))));
}

function evidenceLink(id, path, line) {
  if (id === null || id === undefined) return path ? el('span', { class: 'wrap' }, path + (line ? ':' + line : '')) : '';
  return el('a', { href: '#/evidence/' + id, class: 'evidence-link' }, (path || 'item #' + id) + (line ? ':' + line : ''));
}

function genericCell(r, c) {
  const v = r[c];
  if (c === 'evidence_id' && v !== null && v !== undefined)
    return el('td', {}, el('a', { href: '#/evidence/' + v }, '#' + v));
  if (typeof v === 'string' && ISO_RE.test(v)) return el('td', {}, timeEl(v));
  if (c === 'detail' || c === 'reasons' || c === 'fields_json') return el('td', { class: 'wrap' }, detailEl(v));
  return el('td', { class: 'wrap' }, v === null || v === undefined ? '' : v);
}

// A filterable, paged listing of an API returning {total, columns, rows}: the server pages
// (limit/offset), the page shows opts.columns (default: the API's).
async function listing(path, opts) {
  const box = el('div', {});
  const q = el('input', { type: 'search', placeholder: 'filter', name: 'q', value: opts.q || '' });
  const from = opts.time ? el('input', { placeholder: 'from (ISO 8601)', name: 'from' }) : null;
  const to = opts.time ? el('input', { placeholder: 'to (ISO 8601)', name: 'to' }) : null;
  const selects = (opts.filters || []).map(f => el('select', { name: f.name, class: 'filter-' + f.name, onchange: () => { offset = 0; load(); } },
    f.options.map(o => el('option', { value: o }, o || 'any ' + f.name))));
  let offset = 0;
  const limit = opts.limit || 100;
  const out = el('div', {});
  const nav = state.nav;
  async function load(initial) {
    const params = new URLSearchParams({ limit, offset });
    if (q.value) params.set('q', q.value);
    if (from && from.value) params.set('from', from.value);
    if (to && to.value) params.set('to', to.value);
    for (const s of selects) if (s.value) params.set(s.name, s.value);
    try {
      const data = await api(path + '?' + params);
      if (nav !== state.nav) return;
      if (data.present === false) {
        out.replaceChildren(el('p', { class: 'muted' }, opts.absent));
        return;
      }
      const prev = el('button', { disabled: offset === 0, class: 'prev', onclick: () => { offset -= limit; load(); } }, '← previous');
      const next = el('button', { disabled: offset + limit >= data.total, class: 'next', onclick: () => { offset += limit; load(); } }, 'next →');
      const columns = opts.columns || data.columns;
      out.replaceChildren(
        el('div', { class: 'pager' }, prev, next,
          el('span', { class: 'muted page-range' }, `${data.total ? offset + 1 : 0}–${Math.min(offset + limit, data.total)} of ${data.total}`),
          // Findings come actionable first; say how many of each class there are and how many a
          // filter hides, so noise stays countable.
          data.triage ? el('span', { class: 'muted triage-counts' },
            ` · ${data.triage.actionable} actionable first, then ${data.triage.context} context, ${data.triage.noise} noise` +
            (data.hidden ? ` (${data.hidden} hidden)` : '')) : null),
        table(columns, data.rows, opts.cell || genericCell, opts.labels));
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (initial) throw e;  // the page shows it (e.g. 403 for the role)
      out.replaceChildren(el('p', { class: 'error' }, 'Error: ' + e.message));
    }
  }
  const form = el('form', { class: 'inline', onsubmit: ev => { ev.preventDefault(); offset = 0; load(); } },
    q, selects, from, to, el('button', { type: 'submit' }, 'Filter'));
  box.append(form, out);
  await load(true);
  return box;
}

async function attackerLabels() {
  if (!state.attackers) {
    const list = await api('/api/attackers');
    state.attackers = new Map(list.map(a => [a.id, a.label]));
  }
  return state.attackers;
}

// ---- pages ----

async function renderOverview() {
  const d = await api('/api/case');
  state.info = d.case;
  const c = d.counts;
  const n = v => (v === null ? '—' : v);
  const box = el('div', {});
  box.append(el('p', {}, el('strong', { id: 'case-name' }, d.case.name), ' ',
    el('span', { class: 'muted' }, [d.case.store_url, d.case.platform, d.case.timezone].filter(Boolean).join(' · ')),
    d.case.discovered_at ? el('span', { class: 'muted' }, ' · discovered ', timeEl(d.case.discovered_at)) : null));
  box.append(el('div', { class: 'cards' },
    el('div', { class: 'card' }, el('div', { class: 'num' }, n(c.findings)), 'findings (', n(c.findings_actionable), ' actionable, ', n(c.findings_high), ' high)'),
    el('div', { class: 'card' }, el('div', { class: 'num' }, n(c.attackers)), 'attackers'),
    el('div', { class: 'card' }, el('div', { class: 'num', id: 'affected-count' }, n(c.affected_people)), 'people affected'),
    el('div', { class: 'card' }, el('div', { class: 'num' }, n(c.tasks_open)), 'open tasks (', n(c.tasks_done), ' done)'),
    el('div', { class: 'card' }, el('div', { class: 'num' }, n(c.letters_sent), ' / ', n(c.letters)), 'letters sent'),
    el('div', { class: 'card' }, el('div', { class: 'num' }, n(c.evidence_items)), 'evidence items')));
  box.append(el('h2', {}, 'Phases'), el('div', { class: 'cards' }, d.phases.map(p =>
    el('div', { class: 'card' }, el('strong', {}, p.phase + '. ' + p.title),
      el('div', { class: 'bar' }, el('span', { style: null, 'data-pct': Math.round(100 * p.done / p.total) })),
      el('ul', { class: 'steps' }, p.steps.map(s => el('li', { class: s.done ? 'done' : null }, s.step)))))));
  // Widths set through the CSSOM: the CSP forbids inline style attributes.
  for (const s of box.querySelectorAll('.bar > span')) s.style.width = s.dataset.pct + '%';
  // Deadlines: only duties that apply and are not done are due; the rest are listed apart.
  const due = d.deadlines.filter(x => x.state === 'due' || x.state === 'overdue');
  const done = d.deadlines.filter(x => x.state === 'done');
  const notRequired = d.deadlines.filter(x => x.state === 'not_required');
  box.append(el('h2', {}, 'Deadlines'));
  box.append(due.length ? el('div', { id: 'deadlines-due' }, table(['due', 'left', 'what', 'where', 'owner'], due, (r, col) =>
    col === 'due' ? el('td', {}, timeEl(r.due_at)) :
    col === 'left' ? el('td', {}, r.due_at ? countdown(r.due_at) : '') :
    col === 'what' ? el('td', { class: 'wrap deadline-title', 'data-state': r.state },
      r.task_id ? el('a', { href: '#/tasks' }, r.title) : r.title) :
    col === 'where' ? el('td', { class: 'wrap' }, r.jurisdiction ? shortList(r.jurisdiction) : '') :
    el('td', {}, r.owner || ''))) : el('p', { class: 'muted' }, 'Nothing due.'));
  box.append(deadlineChart(d.case.discovered_at, new Date(Date.now() + state.clockSkew).toISOString(), due));
  const apart = (title, rows, id) => rows.length ? el('details', { class: 'apart', id },
    el('summary', {}, `${title} (${rows.length})`),
    el('ul', {}, rows.map(r => el('li', {}, r.title, r.jurisdiction ? el('span', { class: 'muted' }, ' · ' + shortList(r.jurisdiction)) : null)))) : null;
  box.append(apart('Done', done, 'deadlines-done'), apart('Not required (threshold not met)', notRequired, 'deadlines-not-required'));
  box.append(el('h2', {}, 'Affected people'));
  box.append(el('div', { class: 'chart-row' },
    barChart(d.affected_by_jurisdiction.map(r => ({ name: r.jurisdiction, people: r.people })), 'by jurisdiction', 'by-jurisdiction'),
    barChart(d.affected_by_category || [], 'by data category', 'by-category')));
  if (can('evidence')) {
    const [attackers, charts] = await Promise.all([api('/api/attackers'), api('/api/charts')]);
    box.append(el('h2', {}, 'Requests over time'), trafficChart(charts.traffic));
    box.append(el('h2', {}, 'Attackers'), attackers.length ? attackerTable(attackers.slice(0, 10)) :
      el('p', { class: 'muted' }, 'No attackers identified yet.'));
  }
  return box;
}

function shortList(text) {
  const parts = String(text).split(',');
  return parts.length > 6 ? parts.slice(0, 6).join(', ') + ` and ${parts.length - 6} more` : parts.join(', ');
}

async function renderStory() {
  const [s, charts] = await Promise.all([api('/api/story'), api('/api/charts')]);
  const box = el('div', {});
  if (!s.steps.length) {
    box.append(el('p', { class: 'muted' }, 'No story yet: run tourniquet investigate.'));
    return box;
  }
  // The phases in order, each with when it began and how many steps it has.
  box.append(el('div', { class: 'phase-ribbon' }, PHASE_ORDER.map(p => {
    const steps = s.steps.filter(x => x.phase === p);
    return el('div', { class: 'phase-chip' + (steps.length ? '' : ' empty'), 'data-phase': p },
      el('strong', {}, p), el('span', {}, steps.length ? fmtTime(steps[0].time) : 'nothing found'),
      el('span', { class: 'muted' }, steps.length + ' step' + (steps.length === 1 ? '' : 's')));
  })));
  box.append(timelineChart(charts));
  box.append(el('ol', { class: 'story' }, s.steps.map(x => el('li', { class: 'story-step', 'data-phase': x.phase,
    'data-time-us': x.time_us, 'data-evidence-path': x.evidence_path, 'data-evidence-line': x.evidence_line },
    el('div', { class: 'story-when' }, timeEl(x.time), x.time_doubtful ? el('span', { class: 'warn' }, 'file time doubtful') : null),
    el('div', { class: 'story-what' },
      el('span', { class: 'phase-tag', 'data-phase': x.phase }, x.phase), ' ',
      x.actor ? el('span', { class: 'actor', title: x.actor_by_time ? 'the actor active just before: inferred from the time' : null },
        x.actor + (x.actor_by_time ? ' (by time)' : '')) : null, ' ',
      // The sentence names its actor first (it stands alone in the report); here the actor is
      // already shown in bold.
      el('span', { class: 'sentence' }, x.actor && !x.actor_by_time && x.sentence.startsWith(x.actor + ' ')
        ? x.sentence.slice(x.actor.length + 1) : x.sentence),
      el('div', { class: 'story-evidence muted' }, [
        x.evidence_path || x.evidence_item !== null ? ['evidence: ', evidenceLink(x.evidence_item, x.evidence_path, x.evidence_line)] : null,
        x.finding_id !== null ? el('a', { href: '#/finding/' + x.finding_id }, 'finding #' + x.finding_id) : null,
      ].filter(Boolean).flatMap((v, i) => i ? [' · ', v] : [v])))))));
  const c = s.counts;
  const fmtBytes = b => b >= 1048576 ? (b / 1048576).toFixed(1) + ' MB' : b >= 1024 ? (b / 1024).toFixed(1) + ' KB' : b + ' bytes';
  box.append(el('h2', {}, 'In numbers'), el('dl', { class: 'counts' },
    el('dt', {}, 'actors'), el('dd', {}, `${c.attackers} (${c.addresses} addresses, ${c.attack_requests} requests)`),
    el('dt', {}, 'taken'), el('dd', {}, c.downloads ? `${fmtBytes(c.bytes_downloaded)} in ${c.downloads} download(s)` : 'no download seen'),
    el('dt', {}, 'skimmer'), el('dd', {}, c.skimmer_start ? ['live from ', timeEl(c.skimmer_start)] : 'none found'),
    el('dt', {}, 'affected'), el('dd', {}, c.affected_people === null ? 'scope not run yet' :
      `${c.affected_people} people in ${c.jurisdictions} jurisdiction(s)` + (c.categories.length ? ': ' + c.categories.join(', ') : '')),
    el('dt', {}, 'first / last activity'), el('dd', {}, timeEl(c.first_activity), ' – ', timeEl(c.last_activity)),
    el('dt', {}, 'discovered'), el('dd', {}, timeEl(c.discovered_at)),
    el('dt', {}, 'findings'), el('dd', {}, `${c.findings} (${c.findings_actionable} actionable); the story is told from ${c.timeline_rows} timeline rows`)));
  return box;
}

function attackerTable(rows) {
  return table(['label', 'confidence', 'first seen', 'last seen', 'addresses', 'reasons'], rows, (r, c) =>
    c === 'label' ? el('td', { class: 'wrap attacker-label' }, r.label) :
    c === 'confidence' ? el('td', {}, r.confidence.toFixed(2)) :
    c === 'first seen' ? el('td', {}, timeEl(r.first_seen)) :
    c === 'last seen' ? el('td', {}, timeEl(r.last_seen)) :
    c === 'addresses' ? el('td', { class: 'wrap' }, r.addresses.length > 8 ? r.addresses.slice(0, 8).join(', ') + ` and ${r.addresses.length - 8} more` : r.addresses.join(', ')) :
    el('td', { class: 'wrap' }, detailEl(r.reasons)));
}

async function renderAttackers() { return attackerTable(await api('/api/attackers')); }

async function renderTimeline() {
  const box = el('div', {});
  const charts = api('/api/charts');  // meanwhile, the labels and the first page
  const labels = can('evidence') ? await attackerLabels() : new Map();
  const list = listing('/api/timeline', { time: true, absent: 'No timeline yet.',
    columns: ['time', 'actor', 'kind', 'summary', 'evidence', 'detail'],
    cell: (r, c) => {
      if (c === 'time') return el('td', { class: 'nowrap' }, timeEl(r.time || r.at));
      if (c === 'actor') return el('td', { class: 'wrap' }, (r.attacker_id && labels.get(r.attacker_id)) || r.actor || '', r.ip ? el('div', { class: 'muted' }, r.ip) : null);
      if (c === 'kind') return el('td', {}, r.kind, r.severity ? el('div', { class: 'sev-' + r.severity }, r.severity) : null);
      if (c === 'summary') return el('td', { class: 'wrap timeline-summary' }, r.message !== undefined ? r.message : r.summary);
      if (c === 'evidence') return el('td', { class: 'wrap' }, evidenceLink(r.evidence_id, r.evidence_path, r.line),
        r.finding_id ? el('div', {}, el('a', { href: '#/finding/' + r.finding_id }, 'finding #' + r.finding_id)) : null);
      return el('td', {}, r.detail ? detailEl(r.detail) : '');
    } });
  box.append(timelineChart(await charts), await list);
  return box;
}

function findingCell(r, c) {
  if (c === 'severity') return el('td', { class: 'sev-' + r.severity }, r.severity);
  if (c === 'triage') return el('td', { class: 'triage-' + r.triage }, r.triage);
  if (c === 'time') return el('td', { class: 'nowrap' }, timeEl(r.event_time));
  if (c === 'rule') return el('td', { class: 'wrap rule' }, r.rule_title || r.kind, r.rule_title ? el('div', { class: 'muted' }, r.kind) : null);
  if (c === 'summary') return el('td', { class: 'wrap finding-summary' }, el('a', { href: '#/finding/' + r.id, class: 'plain' }, r.summary));
  if (c === 'evidence') return el('td', { class: 'wrap' }, r.evidence_id ? evidenceLink(r.evidence_id, r.evidence_path, r.line) : '');
  if (c === 'detail') return el('td', {}, detailEl(r.detail));
  return genericCell(r, c);
}

function renderFindings() {
  return listing('/api/findings', { absent: '', limit: 100,
    filters: [{ name: 'severity', options: ['', 'critical', 'high', 'medium', 'low', 'info'] },
      { name: 'triage', options: ['', 'actionable', 'context', 'noise'] }],
    columns: ['id', 'triage', 'severity', 'rule', 'summary', 'evidence', 'time', 'detail'], cell: findingCell });
}

async function renderFinding(args) {
  const id = /^\d+$/.test(args[0] || '') ? args[0] : '0';
  const d = await api('/api/findings?id=' + id);
  if (!d.rows.length) return el('p', { class: 'error' }, 'No finding #' + id);
  const f = d.rows[0];
  return el('div', { class: 'finding' },
    el('p', {}, el('span', { class: 'sev-' + f.severity }, f.severity), ' · ', f.triage, ' · ', f.rule_title || f.kind),
    el('p', { class: 'wrap finding-summary' }, f.summary),
    el('dl', { class: 'kv' }, el('dt', {}, 'time'), el('dd', {}, timeEl(f.event_time)),
      el('dt', {}, 'evidence'), el('dd', {}, evidenceLink(f.evidence_id, f.evidence_path, f.line)),
      el('dt', {}, 'component'), el('dd', {}, f.component), el('dt', {}, 'confidence'), el('dd', {}, String(f.confidence)),
      el('dt', {}, 'rule id'), el('dd', {}, f.rule || '—')),
    detailEl(f.detail, true));
}

function renderScope() { return listing('/api/scope', { absent: 'No scope yet (tourniquet scope).' }); }

async function renderLetters() {
  const preview = el('div', { class: 'letter-preview', id: 'letter-preview' }, el('p', { class: 'muted' }, 'Choose a letter.'));
  const nav = state.nav;
  async function show(id, row) {
    for (const r of document.querySelectorAll('.letter-list tr.selected')) r.classList.remove('selected');
    if (row) row.classList.add('selected');
    try {
      const l = await api('/api/letters/' + id);
      if (nav !== state.nav) return;
      preview.dataset.letter = l.id;
      preview.replaceChildren(el('h2', { class: 'letter-subject' }, l.subject),
        el('p', { class: 'muted' }, 'To ', l.recipient_name, ' <', l.recipient, '> · ', l.language, ' · ', l.kind, ' · ', l.state,
          l.sent_at ? [' · sent ', timeEl(l.sent_at)] : null),
        el('pre', { class: 'letter-body' }, l.body));
    } catch (e) {
      if (e.name !== 'AbortError') preview.replaceChildren(el('p', { class: 'error' }, 'Error: ' + e.message));
    }
  }
  const list = await listing('/api/letters', { absent: 'No letters yet (tourniquet notify render).', limit: 50,
    columns: ['recipient', 'language', 'state'],
    cell: (r, c) => {
      if (c === 'recipient') return el('td', { class: 'wrap' }, el('a', { href: '#/letters', class: 'letter-open', 'data-letter': r.id,
        onclick: ev => { ev.preventDefault(); show(r.id, ev.target.closest('tr')); } }, r.recipient_name || r.recipient),
        el('div', { class: 'muted' }, r.subject));
      if (c === 'state') return el('td', {}, r.state, el('div', { class: 'muted' }, r.channel));
      return genericCell(r, c);
    } });
  const box = el('div', { class: 'letters' }, el('div', { class: 'letter-list' }, list), preview);
  const first = list.querySelector('a.letter-open');
  if (first) show(first.dataset.letter, first.closest('tr'));
  return box;
}

async function renderReports() {
  const d = await api('/api/reports');
  if (!d.rows.length) return el('p', { class: 'muted' }, 'No reports yet (tourniquet report).');
  const size = b => b >= 1024 ? (b / 1024).toFixed(1) + ' KB' : b + ' bytes';
  return table(['name', 'audience', 'format', 'size', 'written', 'open'], d.rows, (r, c) =>
    c === 'name' ? el('td', { class: 'wrap' }, r.name) :
    c === 'size' ? el('td', {}, size(r.bytes)) :
    c === 'written' ? el('td', {}, timeEl(r.written_at)) :
    c === 'open' ? el('td', {}, el('a', { href: '/api/reports/' + r.id + '/file', target: '_blank', rel: 'noopener', class: 'report-open' }, 'open'),
      ' · ', el('a', { href: '/api/reports/' + r.id + '/file?download=1', download: r.name, class: 'report-download' }, 'download')) :
    el('td', {}, r[c]));
}

function renderAudit() { return listing('/api/audit', { absent: '' }); }

async function renderEvidence(args) {
  const id = /^\d+$/.test(args[0] || '') ? args[0] : '0';
  const d = await api('/api/evidence/' + id);
  if (!d.rows.length) return el('p', { class: 'error' }, 'No evidence item #' + id);
  const r = d.rows[0];
  return table(['field', 'value'], d.columns.map(c => ({ field: c, value: r[c] })),
    (row, col) => col === 'value' && typeof row.value === 'string' && ISO_RE.test(row.value) ? el('td', {}, timeEl(row.value)) :
      el('td', { class: 'wrap' }, row[col] === null ? '' : row[col]));
}

async function renderTasks() {
  const tasks = await api('/api/tasks');
  const box = el('div', {});
  const writable = can('tasks_write');
  if (writable) {
    const title = el('input', { name: 'title', required: true, placeholder: 'what is to be done' });
    const owner = el('input', { name: 'owner', placeholder: 'owner' });
    const phase = el('select', { name: 'phase' }, [1, 2, 3, 4, 5].map(p => el('option', { value: p, selected: p === 4 }, 'phase ' + p)));
    const due = el('input', { name: 'due_at', placeholder: 'due (ISO 8601)' });
    box.append(el('form', { class: 'inline', id: 'task-add', onsubmit: async ev => {
      ev.preventDefault();
      try {
        await api('/api/tasks', { title: title.value, owner: owner.value, phase: Number(phase.value), due_at: due.value });
        route();
      } catch (e) { alertIn(box, e); }
    } }, el('label', {}, 'Title', title), el('label', {}, 'Owner', owner), el('label', {}, 'Phase', phase),
      el('label', {}, 'Due', due), el('button', { type: 'submit' }, 'Add task')));
  }
  const statuses = ['open', 'in_progress', 'done', 'cancelled'];
  const cell = (t, c) => {
    if (c === '#') return el('td', {}, t.id);
    if (c === 'title') return el('td', { class: 'wrap' }, t.title, t.detail ? el('div', { class: 'muted' }, t.detail) : null,
      t.findings.length ? el('div', { class: 'muted' }, 'findings: ' + t.findings.map(f => '#' + f).join(' ')) : null);
    if (c === 'phase') return el('td', {}, t.phase);
    if (c === 'owner') {
      if (!writable) return el('td', {}, t.owner);
      const input = el('input', { value: t.owner, size: 10, 'data-task': t.id, class: 'owner-input', 'aria-label': 'owner of task ' + t.id });
      return el('td', {}, el('form', { class: 'assign', onsubmit: async ev => {
        ev.preventDefault();
        try { await api('/api/tasks/' + t.id, { owner: input.value }); route(); } catch (e) { alertIn(box, e); }
      } }, input, el('button', { type: 'submit', class: 'assign-button' }, 'Assign')));
    }
    if (c === 'status') {
      if (!writable) return el('td', { class: t.status === 'done' ? 'done' : null }, t.status);
      const sel = el('select', { class: 'status-select', 'data-task': t.id, onchange: async () => {
        try { await api('/api/tasks/' + t.id, { status: sel.value }); route(); } catch (e) { alertIn(box, e); }
      } }, statuses.map(s => el('option', { value: s, selected: s === t.status }, s)));
      return el('td', {}, sel);
    }
    if (c === 'due') return el('td', {}, t.due_at ? [fmtTime(t.due_at), el('br'), t.status === 'open' || t.status === 'in_progress' ? countdown(t.due_at) : ''] : '');
    if (c === 'source') return el('td', {}, t.source);
    const list = el('div', {}, t.comments.map(cm => el('div', {}, el('span', { class: 'muted' }, cm.author + ' ' + fmtTime(cm.at) + ': '), cm.body)));
    if (writable) {
      const text = el('input', { placeholder: 'comment', size: 14 });
      list.append(el('form', { onsubmit: async ev => {
        ev.preventDefault();
        try { await api('/api/tasks/' + t.id + '/comments', { body: text.value }); route(); } catch (e) { alertIn(box, e); }
      } }, text));
    }
    return el('td', {}, list);
  };
  // Grouped by phase, then by owner (the unowned first: they need one), open before done.
  const phaseTitles = { 1: 'Shut it down', 2: 'Investigate', 3: 'Keep customers informed', 4: 'Task force', 5: 'Publish' };
  const closed = t => t.status === 'done' || t.status === 'cancelled';
  const phases = [...new Set(tasks.map(t => t.phase))].sort((a, b) => a - b);
  if (!tasks.length) box.append(el('p', { class: 'muted' }, 'No tasks yet.'));
  for (const p of phases) {
    const list = tasks.filter(t => t.phase === p).sort((a, b) =>
      (b.owner === '') - (a.owner === '') || a.owner.localeCompare(b.owner) || closed(a) - closed(b) || a.id - b.id);
    const open = list.filter(t => !closed(t)).length;
    box.append(el('h2', { class: 'task-phase', 'data-phase': p }, `${p}. ${phaseTitles[p] || 'Phase ' + p}`,
      el('span', { class: 'muted' }, ` · ${open} open, ${list.length - open} done`)));
    const owners = [...new Set(list.map(t => t.owner))];
    for (const o of owners) {
      const mine = list.filter(t => t.owner === o);
      const t = table(['#', 'title', 'owner', 'status', 'due', 'source', 'comments'], mine, cell);
      t.classList.add('tasks');  // fixed layout: the browser need not measure every cell
      box.append(el('h3', { class: 'task-owner' }, o || 'no owner yet', el('span', { class: 'muted' }, ` (${mine.length})`)), t);
    }
  }
  return box;
}

function alertIn(box, e) {
  const old = box.querySelector('.error');
  if (old) old.remove();
  box.prepend(el('p', { class: 'error' }, 'Error: ' + e.message));
}

async function renderPostmortem() {
  const entries = await api('/api/postmortem');
  const box = el('div', {}, el('p', { class: 'muted' },
    'Blameless: each entry is a condition that contributed and the process that let it happen, with the actions that change the process. There is no field for who is to blame.'));
  if (can('postmortem_write')) {
    const factor = el('input', { name: 'factor', size: 40, required: true });
    const proc = el('input', { name: 'process_failure', size: 40, required: true });
    box.append(el('form', { class: 'inline', onsubmit: async ev => {
      ev.preventDefault();
      try { await api('/api/postmortem', { factor: factor.value, process_failure: proc.value }); route(); } catch (e) { alertIn(box, e); }
    } }, el('label', {}, 'Contributing factor', factor), el('label', {}, 'Process failure behind it', proc),
      el('button', { type: 'submit' }, 'Add')));
  }
  if (!entries.length) box.append(el('p', { class: 'muted' }, 'No entries yet.'));
  for (const e of entries) {
    const card = el('div', { class: 'card' }, el('strong', {}, '#' + e.id + ' ' + e.factor),
      el('div', {}, 'Process failure: ', e.process_failure),
      el('ul', {}, e.actions.map(a => el('li', {}, a.action, a.owner ? ' — ' + a.owner : '', ' [' + a.status + ']'))));
    if (can('postmortem_write')) {
      const action = el('input', { placeholder: 'action item', size: 30 });
      const owner = el('input', { placeholder: 'owner', size: 10 });
      card.append(el('form', { class: 'inline', onsubmit: async ev => {
        ev.preventDefault();
        try { await api('/api/postmortem/' + e.id + '/actions', { action: action.value, owner: owner.value }); route(); } catch (err) { alertIn(box, err); }
      } }, action, owner, el('button', { type: 'submit' }, 'Add action')));
    }
    box.append(card);
  }
  return box;
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('login-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    const err = document.getElementById('login-error');
    err.textContent = '';
    try {
      state.session = await api('/api/login', {
        name: document.getElementById('login-name').value,
        password: document.getElementById('login-password').value,
      });
      document.getElementById('login-password').value = '';
      route();
    } catch (e) {
      err.textContent = e.message;
    }
  });
  window.addEventListener('hashchange', route);
  route();
});
