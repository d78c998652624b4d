// tourniquet web UI: plain JavaScript, no framework. Every value from the case is put into
// the page with textContent (via el()), never as HTML: evidence is attacker-written.
'use strict';

const state = { session: null, clockSkew: 0, timers: [] };

// el('td', {class: 'x'}, 'text', child, ...): strings become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'value') node.value = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
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
];

function showLogin() {
  state.session = null;
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
  if (!state.session) {
    try { state.session = await api('/api/session'); } catch (e) { return; }
  }
  state.clockSkew = Date.parse(state.session.now) - Date.now();
  document.getElementById('login').hidden = true;
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const page = pages.find(p => p.hash === parts[0]) || pages[0];
  renderNav(page);
  const view = document.getElementById('view');
  view.replaceChildren(el('h1', {}, page.title), el('p', { class: 'muted' }, 'Loading…'));
  try {
    const content = await page.render(parts.slice(1));
    view.replaceChildren(el('h1', {}, page.title), content);
  } catch (e) {
    view.replaceChildren(el('h1', {}, page.title),
      el('p', { class: 'error', id: 'page-error' },
        e.status === 403 ? 'Not for your role: ' + e.message : 'Error: ' + e.message));
  }
}

// ---- helpers ----

function fmtTime(iso) {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
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

function table(columns, rows, cell) {
  return el('table', {},
    el('thead', {}, el('tr', {}, columns.map(c => el('th', {}, c)))),
    el('tbody', {}, rows.map(r => el('tr', {}, columns.map(c => cell(r, c))))));
}

function genericCell(r, c) {
  const v = r[c];
  if (c === 'evidence_id' && v !== null && v !== undefined)
    return el('td', {}, el('a', { href: '#/evidence/' + v }, '#' + v));
  return el('td', { class: 'wrap' }, v === null || v === undefined ? '' : v);
}

// A filterable, paged listing of an API returning {total, columns, rows}.
async function listing(path, opts) {
  const box = el('div', {});
  const q = el('input', { type: 'search', placeholder: 'filter', name: 'q', value: opts.q || '' });
  const from = opts.time ? el('input', { placeholder: 'from (ISO 8601)', name: 'from' }) : null;
  const to = opts.time ? el('input', { placeholder: 'to (ISO 8601)', name: 'to' }) : null;
  let offset = 0;
  const limit = 200;
  const out = el('div', {});
  async function load(initial) {
    const params = new URLSearchParams({ limit, offset });
    if (q.value) params.set('q', q.value);
    if (from && from.value) params.set('from', from.value);
    if (to && to.value) params.set('to', to.value);
    try {
      const data = await api(path + '?' + params);
      if (data.present === false) {
        out.replaceChildren(el('p', { class: 'muted' }, opts.absent));
        return;
      }
      const prev = el('button', { disabled: offset === 0, onclick: () => { offset -= limit; load(); } }, '← previous');
      const next = el('button', { disabled: offset + limit >= data.total, onclick: () => { offset += limit; load(); } }, 'next →');
      out.replaceChildren(
        el('div', { class: 'pager' }, prev, next,
          el('span', { class: 'muted' }, `${data.total ? offset + 1 : 0}–${Math.min(offset + limit, data.total)} of ${data.total}`),
          // Findings come actionable first; say how many of each class there are and how many a
          // filter hides, so noise stays countable.
          data.triage ? el('span', { class: 'muted triage-counts' },
            ` · ${data.triage.actionable} actionable first, then ${data.triage.context} context, ${data.triage.noise} noise` +
            (data.hidden ? ` (${data.hidden} hidden)` : '')) : null),
        table(data.columns, data.rows, opts.cell || genericCell));
    } catch (e) {
      if (initial) throw e;  // the page shows it (e.g. 403 for the role)
      out.replaceChildren(el('p', { class: 'error' }, 'Error: ' + e.message));
    }
  }
  const form = el('form', { class: 'inline', onsubmit: ev => { ev.preventDefault(); offset = 0; load(); } },
    q, from, to, el('button', { type: 'submit' }, 'Filter'));
  box.append(form, out);
  await load(true);
  return box;
}

// ---- pages ----

async function renderOverview() {
  const d = await api('/api/case');
  const c = d.counts;
  const n = v => (v === null ? '—' : v);
  const box = el('div', {});
  box.append(el('p', {}, el('strong', { id: 'case-name' }, d.case.name), ' ',
    el('span', { class: 'muted' }, [d.case.store_url, d.case.platform, d.case.timezone].filter(Boolean).join(' · ')),
    d.case.discovered_at ? el('span', { class: 'muted' }, ' · discovered ' + fmtTime(d.case.discovered_at)) : null));
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
  box.append(el('h2', {}, 'Deadlines'));
  box.append(d.deadlines.length ? table(['due', 'left', 'what', 'owner'], d.deadlines, (r, col) =>
    col === 'due' ? el('td', {}, fmtTime(r.due_at)) :
    col === 'left' ? el('td', {}, countdown(r.due_at)) :
    col === 'what' ? el('td', {}, r.kind === 'task' ? el('a', { href: '#/tasks' }, r.title) : r.title) :
    el('td', {}, r.owner || '')) : el('p', { class: 'muted' }, 'No deadlines yet.'));
  box.append(el('h2', {}, 'Affected people per jurisdiction'));
  box.append(d.affected_by_jurisdiction.length ? table(['jurisdiction', 'people'], d.affected_by_jurisdiction,
    (r, col) => el('td', {}, r[col])) : el('p', { class: 'muted' }, 'No scope yet (tourniquet scope).'));
  if (can('evidence')) {
    const attackers = await api('/api/attackers');
    box.append(el('h2', {}, 'Attackers'), attackers.length ? attackerTable(attackers.slice(0, 10)) :
      el('p', { class: 'muted' }, 'No attackers identified yet.'));
  }
  return box;
}

function attackerTable(rows) {
  return table(['label', 'confidence', 'first seen', 'last seen', 'addresses', 'reasons'], rows, (r, c) =>
    c === 'label' ? el('td', { class: 'wrap attacker-label' }, r.label) :
    c === 'confidence' ? el('td', {}, r.confidence.toFixed(2)) :
    c === 'first seen' ? el('td', {}, fmtTime(r.first_seen)) :
    c === 'last seen' ? el('td', {}, fmtTime(r.last_seen)) :
    c === 'addresses' ? el('td', { class: 'wrap' }, r.addresses.join(', ')) :
    el('td', { class: 'wrap' }, r.reasons));
}

async function renderAttackers() { return attackerTable(await api('/api/attackers')); }

function renderTimeline() {
  return listing('/api/timeline', { time: true, absent: 'No timeline yet.', cell: (r, c) =>
    c === 'summary' ? el('td', { class: 'wrap timeline-summary' }, r[c]) :
    c === 'finding_id' ? el('td', {}, el('a', { href: '#/findings' }, '#' + r[c])) : genericCell(r, c) });
}

function renderFindings() {
  return listing('/api/findings', { absent: '', cell: (r, c) => {
    if (c === 'severity') return el('td', { class: 'sev-' + r.severity }, r.severity);
    if (c === 'triage') return el('td', { class: 'triage-' + r.triage }, r.triage);
    if (c === 'summary') return el('td', { class: 'wrap finding-summary' }, r.summary);
    if (c === 'evidence_path') return el('td', { class: 'wrap' }, r.evidence_id ?
      el('a', { href: '#/evidence/' + r.evidence_id }, r.evidence_path + (r.line ? ':' + r.line : '')) : '');
    return genericCell(r, c);
  } });
}

function renderScope() { return listing('/api/scope', { absent: 'No scope yet (tourniquet scope).' }); }
function renderLetters() { return listing('/api/letters', { absent: 'No letters yet (tourniquet notify render).' }); }
function renderReports() { return listing('/api/reports', { absent: 'No reports yet (tourniquet report).' }); }
function renderAudit() { return listing('/api/audit', { absent: '' }); }

async function renderEvidence(args) {
  const id = /^\d+$/.test(args[0] || '') ? args[0] : '0';
  const d = await api('/api/evidence/' + id);
  if (!d.rows.length) return el('p', { class: 'error' }, 'No evidence item #' + id);
  const r = d.rows[0];
  return table(['field', 'value'], d.columns.map(c => ({ field: c, value: r[c] })),
    (row, col) => el('td', { class: 'wrap' }, row[col] === null ? '' : row[col]));
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
  box.append(table(['#', 'title', 'phase', 'owner', 'status', 'due', 'source', 'comments'], tasks, (t, c) => {
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
  }));
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
