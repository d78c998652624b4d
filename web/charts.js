// tourniquet web UI: the pictures, drawn as SVG by this file (no library, nothing fetched).
// Every label from the case goes in with textContent: evidence is attacker-written.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const PHASE_COLORS = { entry: '#b3261e', foothold: '#e8710a', persistence: '#8e24aa', theft: '#1565c0', impact: '#2e7d32' };
const PHASE_ORDER = ['entry', 'foothold', 'persistence', 'theft', 'impact'];

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Ticks on a time axis: a step that gives about `count` ticks, on round units.
function timeTicks(t0, t1, count) {
  const steps = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 30 * 86400, 365 * 86400]
    .map(s => s * 1000);
  const want = (t1 - t0) / Math.max(count, 1);
  const step = steps.find(s => s >= want) || steps[steps.length - 1];
  const out = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1 && out.length < 50; t += step) out.push(t);
  return { ticks: out, step };
}

function tickLabel(t, step) {
  const iso = new Date(t).toISOString();
  if (step >= 86400000) return iso.slice(0, 10);
  if (step >= 60000) return iso.slice(5, 10) + ' ' + iso.slice(11, 16);
  return iso.slice(11, 19);
}

// The timeline: one lane per actor (its requests as ticks) and a lane of the story's steps
// coloured by phase, with a band where each phase begins. Wheel or the buttons zoom; drag pans.
function timelineChart(data, opts) {
  const lanes = data.lanes || [];
  const steps = (data.phases || []).map(p => ({ ...p, t: Date.parse(p.time) }));
  const all = [];
  for (const l of lanes) for (const p of l.points) all.push(p / 1000);
  for (const s of steps) all.push(s.t);
  const box = el('div', { class: 'chart timeline-chart' });
  if (!all.length) {
    box.append(el('p', { class: 'muted' }, 'No timeline yet (tourniquet investigate).'));
    return box;
  }
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 60000) { lo -= 30000; hi += 30000; }
  const pad = (hi - lo) * 0.02;
  const full = [lo - pad, hi + pad];
  let view = full.slice();
  const W = (opts && opts.width) || 1100, left = 150, right = 20, laneH = 26, top = 62;
  const H = top + (lanes.length + 1) * laneH + 30;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'timeline-svg',
    'aria-label': `timeline, ${lanes.length} actor lanes` });
  const x = t => left + (t - view[0]) / (view[1] - view[0]) * (W - left - right);
  function draw() {
    root.replaceChildren();
    root.append(svg('title', {}, `Timeline: ${lanes.length} actors, ${steps.length} story steps`));
    const { ticks, step } = timeTicks(view[0], view[1], 8);
    const axis = svg('g', { class: 'axis' });
    for (const t of ticks) {
      axis.append(svg('line', { x1: x(t), x2: x(t), y1: top - 6, y2: H - 24, class: 'grid' }),
        svg('text', { x: x(t), y: H - 8, 'text-anchor': 'middle' }, tickLabel(t, step)));
    }
    root.append(axis);
    // Where each phase begins (its first step), as a labelled band edge.
    // Labels that would overlap go down a row.
    const seen = new Set();
    const rows = [];
    for (const s of steps) {
      if (seen.has(s.phase) || s.t < view[0] || s.t > view[1]) continue;
      seen.add(s.phase);
      const px = x(s.t);
      let row = 0;
      while (rows[row] !== undefined && px < rows[row] + 8) row++;
      rows[row] = px + 7 * s.phase.length;
      root.append(svg('line', { x1: px, x2: px, y1: 4 + row * 11, y2: H - 24, class: 'phase-mark', stroke: PHASE_COLORS[s.phase] }),
        svg('text', { x: px + 3, y: 12 + row * 11, class: 'phase-label', fill: PHASE_COLORS[s.phase] }, s.phase));
    }
    const clip = t => t >= view[0] && t <= view[1];
    const storyLane = svg('g', { class: 'lane story-lane' });
    const sy = top;
    storyLane.append(svg('text', { x: left - 8, y: sy + 16, 'text-anchor': 'end', class: 'lane-label' }, 'story'),
      svg('line', { x1: left, x2: W - right, y1: sy + laneH / 2, y2: sy + laneH / 2, class: 'lane-line' }));
    for (const s of steps) if (clip(s.t))
      storyLane.append(svg('circle', { cx: x(s.t), cy: sy + laneH / 2, r: 5, fill: PHASE_COLORS[s.phase], class: 'story-dot' },
        svg('title', {}, `${s.time} ${s.phase}: ${s.sentence}`)));
    root.append(storyLane);
    lanes.forEach((l, i) => {
      const y = top + (i + 1) * laneH;
      const g = svg('g', { class: 'lane actor-lane', 'data-actor': l.actor });
      g.append(svg('text', { x: left - 8, y: y + 16, 'text-anchor': 'end', class: 'lane-label' },
        (l.actor.length > 22 ? l.actor.slice(0, 21) + '…' : l.actor)),
        svg('line', { x1: left, x2: W - right, y1: y + laneH / 2, y2: y + laneH / 2, class: 'lane-line' }));
      let path = '';
      for (const p of l.points) {
        const t = p / 1000;
        if (clip(t)) path += `M${x(t).toFixed(1)} ${y + 6}v${laneH - 12}`;
      }
      g.append(svg('path', { d: path, class: 'ticks' + (l.kind === 'campaign' ? ' campaign' : '') },
        svg('title', {}, `${l.actor} (${l.role || 'actor'}): ${l.requests} requests`)));
      root.append(g);
    });
  }
  function zoom(factor, at) {
    const c = at === undefined ? (view[0] + view[1]) / 2 : at;
    const span = Math.min(Math.max((view[1] - view[0]) * factor, 10000), full[1] - full[0]);
    let a = c - (c - view[0]) / (view[1] - view[0]) * span;
    a = Math.max(full[0], Math.min(a, full[1] - span));
    view = [a, a + span];
    draw();
  }
  root.addEventListener('wheel', ev => {
    ev.preventDefault();
    const r = root.getBoundingClientRect();
    const px = (ev.clientX - r.left) / r.width * W;
    const t = view[0] + (px - left) / (W - left - right) * (view[1] - view[0]);
    zoom(ev.deltaY < 0 ? 0.7 : 1 / 0.7, t);
  }, { passive: false });
  let drag = null;
  root.addEventListener('pointerdown', ev => { drag = { x: ev.clientX, view: view.slice() }; });
  window.addEventListener('pointerup', () => { drag = null; });
  root.addEventListener('pointermove', ev => {
    if (!drag) return;
    const r = root.getBoundingClientRect();
    const dt = (ev.clientX - drag.x) / r.width * W / (W - left - right) * (drag.view[1] - drag.view[0]);
    const span = drag.view[1] - drag.view[0];
    const a = Math.max(full[0], Math.min(drag.view[0] - dt, full[1] - span));
    view = [a, a + span];
    draw();
  });
  draw();
  const legend = el('div', { class: 'legend' }, PHASE_ORDER.map(p => {
    const sw = el('span', { class: 'swatch', 'data-phase': p });
    return el('span', {}, sw, ' ' + p);
  }));
  const tools = el('div', { class: 'chart-tools' },
    el('button', { type: 'button', class: 'zoom-in', onclick: () => zoom(0.5) }, 'zoom in'),
    el('button', { type: 'button', class: 'zoom-out', onclick: () => zoom(2) }, 'zoom out'),
    el('button', { type: 'button', class: 'zoom-reset', onclick: () => { view = full.slice(); draw(); } }, 'whole attack'),
    legend);
  box.append(tools, root);
  return box;
}

// Stacked bars per day: the attackers' requests on probes on the store's normal traffic.
function trafficChart(days) {
  const box = el('div', { class: 'chart traffic-chart' });
  if (!days.length) { box.append(el('p', { class: 'muted' }, 'No access logs read yet.')); return box; }
  const W = 1100, H = 240, left = 60, bottom = 40, top = 30;
  const max = Math.max(...days.map(d => d.attack + d.probes + d.normal), 1);
  const bw = (W - left - 10) / days.length;
  const y = v => (H - bottom) - v / max * (H - bottom - top);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'traffic-svg', 'aria-label': 'requests per day' });
  for (const f of [0, 0.5, 1]) {
    const v = Math.round(max * f);
    root.append(svg('line', { x1: left, x2: W - 10, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v.toLocaleString('en')));
  }
  days.forEach((d, i) => {
    const x0 = left + i * bw + 1;
    let base = 0;
    for (const [k, cls] of [['normal', 'normal'], ['probes', 'probes'], ['attack', 'attack']]) {
      const v = d[k];
      if (!v) continue;
      root.append(svg('rect', { x: x0, width: Math.max(bw - 2, 1), y: y(base + v), height: y(base) - y(base + v), class: 'bar-' + cls },
        svg('title', {}, `${d.day}: ${v.toLocaleString('en')} ${k}`)));
      base += v;
    }
    // The attackers' share is often too thin to see: a marker with its count says it is there.
    if (d.attack) root.append(svg('path', { d: `M${x0 + bw / 2 - 5} ${y(base) - 9}h10l-5 7z`, class: 'bar-attack attack-mark' },
      svg('title', {}, `${d.day}: ${d.attack} attacker requests`)),
      svg('text', { x: x0 + bw / 2, y: y(base) - 12, 'text-anchor': 'middle', class: 'small attack-count' }, String(d.attack)));
    if (days.length <= 31 || i % Math.ceil(days.length / 31) === 0)
      root.append(svg('text', { x: x0 + bw / 2, y: H - bottom + 14, 'text-anchor': 'middle', class: 'small' }, d.day.slice(5)));
  });
  box.append(root, el('div', { class: 'legend' },
    el('span', {}, el('span', { class: 'swatch bar-attack' }), ' attackers'),
    el('span', {}, el('span', { class: 'swatch bar-probes' }), ' probes and scans (rule hits)'),
    el('span', {}, el('span', { class: 'swatch bar-normal' }), ' the store\'s traffic')));
  return box;
}

// Horizontal bars: [{name, people}].
function barChart(rows, label, cls) {
  const box = el('div', { class: 'chart bar-chart ' + (cls || '') });
  if (!rows.length) { box.append(el('p', { class: 'muted' }, 'No scope yet (tourniquet scope).')); return box; }
  const shown = rows.slice(0, 25);
  const W = 520, row = 20, left = 150, H = shown.length * row + 10;
  const max = Math.max(...shown.map(r => r.people), 1);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': label });
  shown.forEach((r, i) => {
    const w = r.people / max * (W - left - 60);
    root.append(svg('text', { x: left - 6, y: i * row + 14, 'text-anchor': 'end' }, r.name || '(unknown)'),
      svg('rect', { x: left, y: i * row + 3, width: Math.max(w, 1), height: row - 6, class: 'bar' }),
      svg('text', { x: left + w + 4, y: i * row + 14 }, r.people.toLocaleString('en')));
  });
  box.append(el('h3', {}, label), root);
  if (rows.length > shown.length) box.append(el('p', { class: 'muted' }, `and ${rows.length - shown.length} more`));
  return box;
}

// Deadlines from the discovery: one bar per duty still due, today marked.
function deadlineChart(found, now, due) {
  const box = el('div', { class: 'chart deadline-chart' });
  const rows = due.filter(d => d.due_at).slice(0, 40);
  if (!found || !rows.length) return box;
  const t0 = Date.parse(found), tn = Date.parse(now);
  const t1 = Math.max(tn, ...rows.map(d => Date.parse(d.due_at)));
  const W = 1100, left = 330, row = 18, top = 22, H = top + rows.length * row + 24;
  const x = t => left + (t - t0) / Math.max(t1 - t0, 1) * (W - left - 20);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'deadline-svg', 'aria-label': 'deadlines from discovery' });
  const { ticks, step } = timeTicks(t0, t1, 8);
  for (const t of ticks) root.append(svg('line', { x1: x(t), x2: x(t), y1: top - 4, y2: H - 20, class: 'grid' }),
    svg('text', { x: x(t), y: H - 6, 'text-anchor': 'middle' }, tickLabel(t, step)));
  rows.forEach((d, i) => {
    const y = top + i * row;
    const end = Date.parse(d.due_at);
    const name = d.title.length > 48 ? d.title.slice(0, 47) + '…' : d.title;
    root.append(svg('text', { x: left - 6, y: y + 12, 'text-anchor': 'end' }, name),
      svg('rect', { x: x(t0), y: y + 3, width: Math.max(x(end) - x(t0), 1), height: row - 6,
        class: d.state === 'overdue' ? 'bar overdue-bar' : 'bar' }, svg('title', {}, `${d.title}: due ${d.due_at}`)));
  });
  root.append(svg('line', { x1: x(tn), x2: x(tn), y1: 6, y2: H - 20, class: 'today' }),
    svg('text', { x: x(tn) - 4, y: 14, 'text-anchor': 'end', class: 'today-label' }, 'today'),
    svg('text', { x: x(t0), y: 14, 'text-anchor': 'start', class: 'small' }, 'discovered'));
  box.append(root);
  return box;
}
