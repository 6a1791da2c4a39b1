// The DeadlineAlerts operator console: one page over the operator API (README "Operator console").
// Plain JavaScript, no build step, nothing loaded from elsewhere. Record text is only ever set through
// textContent or attributes, never parsed as HTML. The key lives in sessionStorage (this tab) and goes out as
// the header this host checks (the page's meta dla-key-header), never in a URL.
'use strict';

(() => {
  const keyHeader = document.querySelector('meta[name="dla-key-header"]').content;
  const apiBase = '/api/';
  const storageKey = 'dla.operatorKey';
  const zoneKey = 'dla.viewerZone';
  const state = {
    key: sessionStorage.getItem(storageKey),
    operator: null,
    offsetMs: 0, // server instant minus this browser's clock, measured at each session read
    zones: [],
    windows: {},
    viewerZone: localStorage.getItem(zoneKey) || browserZone(),
    board: { category: '', status: 'active', text: '', sort: 'due' },
    ticking: [],
    timer: null,
  };

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
  }

  // ---------- DOM helpers: text is always text ----------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const svgNs = 'http://www.w3.org/2000/svg';
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    append(el, children);
    return el;
  }

  function field(id, label, input, hint) {
    input.id = id;
    const errorId = id + '-error';
    const described = [errorId];
    let hintEl = null;
    if (hint) { hintEl = h('p', { class: 'hint', id: id + '-hint' }, hint); described.unshift(id + '-hint'); }
    input.setAttribute('aria-describedby', described.join(' '));
    return h('div', { class: 'field', 'data-field': id }, h('label', { for: id }, label), input, hintEl,
      h('p', { class: 'field-error', id: errorId }));
  }

  let toastTimer = null;
  function toast(text) {
    const t = document.getElementById('toast');
    t.textContent = text;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.textContent = ''; }, 8000);
  }

  const view = () => document.getElementById('view');

  function show(...children) {
    const v = view();
    v.replaceChildren(...children.flat().filter(Boolean));
    v.hidden = false;
    const heading = v.querySelector('h1');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
  }

  // ---------- API ----------

  async function api(method, path, body, headers) {
    const h2 = { Accept: 'application/json' };
    if (state.key) h2[keyHeader] = state.key;
    if (body !== undefined) h2['Content-Type'] = 'application/json';
    Object.assign(h2, headers || {});
    let res;
    try {
      res = await fetch(apiBase + path, {
        method, headers: h2, cache: 'no-store', credentials: 'same-origin', referrerPolicy: 'no-referrer',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return { status: 0, ok: false, json: { title: 'The host did not answer', detail: 'Is dla serve (or the Functions app) running?' } };
    }
    const text = await res.text();
    let json = null;
    if (text) { try { json = JSON.parse(text); } catch { json = { detail: text }; } }
    if (res.status === 401 && path !== 'session') signOut('The key was refused (401); sign in again.');
    return { status: res.status, ok: res.ok, json, etag: res.headers.get('ETag') };
  }

  function problemText(r) {
    const j = r.json || {};
    return `${r.status ? 'HTTP ' + r.status + ': ' : ''}${j.detail || j.title || 'the request failed'}`;
  }

  // ---------- time ----------

  const serverNow = () => Date.now() + state.offsetMs;

  async function readSession() {
    const sent = Date.now();
    const r = await api('GET', 'session');
    if (r.ok) {
      const received = Date.now();
      state.offsetMs = Date.parse(r.json.now) - (sent + received) / 2;
      state.operator = r.json.operator;
    }
    return r;
  }

  function countdownText(dueMs, status) {
    if (status && status !== 'active') return status;
    let diff = Math.round((dueMs - serverNow()) / 1000);
    const overdue = diff < 0;
    diff = Math.abs(diff);
    const d = Math.floor(diff / 86400), hh = Math.floor(diff % 86400 / 3600), mm = Math.floor(diff % 3600 / 60), ss = diff % 60;
    const clock = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
    const text = (d > 0 ? `${d} d ` : '') + clock;
    return overdue ? `overdue by ${text}` : `${text} left`;
  }

  function zoneOk(zone) {
    try { new Intl.DateTimeFormat('en-GB', { timeZone: zone }); return true; } catch { return false; }
  }

  function formatIn(ms, zone, withZone = true) {
    const tz = zoneOk(zone) ? zone : 'UTC';
    const f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
      timeZoneName: withZone ? 'short' : undefined,
    });
    return f.format(new Date(ms)) + (tz === zone ? '' : ' UTC');
  }

  function dayLabel(ms, zone) {
    return new Intl.DateTimeFormat('en-GB', { timeZone: zoneOk(zone) ? zone : 'UTC', day: 'numeric', month: 'short' }).format(new Date(ms));
  }

  function startTicking() {
    if (state.timer) clearInterval(state.timer);
    state.timer = setInterval(() => {
      for (const t of state.ticking) t.el.textContent = countdownText(t.dueMs, t.status);
    }, 1000);
  }

  function stopTicking() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    state.ticking = [];
  }

  // ---------- sign in ----------

  function signOut(message) {
    sessionStorage.removeItem(storageKey);
    state.key = null;
    stopTicking();
    document.getElementById('nav').hidden = true;
    document.getElementById('who').hidden = true;
    view().hidden = true;
    view().replaceChildren();
    document.getElementById('sign-in').hidden = false;
    document.getElementById('sign-in-error').textContent = message || '';
    document.getElementById('operator-key').focus();
  }

  async function signIn(key) {
    state.key = key;
    const r = await readSession();
    if (!r.ok) {
      state.key = null;
      const input = document.getElementById('operator-key');
      input.setAttribute('aria-invalid', 'true');
      document.getElementById('sign-in-error').textContent = r.status === 401
        ? `This key was not accepted: ${(r.json && r.json.detail) || 'unauthorized'}`
        : problemText(r);
      input.focus();
      return false;
    }
    sessionStorage.setItem(storageKey, key);
    document.getElementById('operator-key').value = '';
    document.getElementById('operator-key').removeAttribute('aria-invalid');
    document.getElementById('sign-in-error').textContent = '';
    document.getElementById('sign-in').hidden = true;
    document.getElementById('nav').hidden = false;
    document.getElementById('who').hidden = false;
    document.getElementById('who-name').textContent = `Signed in as ${state.operator}`;
    const zones = await api('GET', 'zones');
    if (zones.ok) { state.zones = zones.json.zones; state.windows = zones.json.windows; }
    if (!state.zones.includes(state.viewerZone)) state.viewerZone = state.zones.includes(browserZone()) ? browserZone() : 'UTC';
    ensureZoneList();
    await route();
    return true;
  }

  function ensureZoneList() {
    if (document.getElementById('zone-list')) return;
    document.body.append(h('datalist', { id: 'zone-list' }, state.zones.map(z => h('option', { value: z }))));
  }

  // ---------- routing ----------

  async function route() {
    if (!state.key) return;
    stopTicking();
    const hash = decodeURIComponent(location.hash.replace(/^#/, ''));
    const [name, ...rest] = hash.split('/');
    const id = rest.join('/');
    for (const a of document.querySelectorAll('#nav a')) {
      const current = a.getAttribute('href') === '#' + name || (name === '' && a.getAttribute('href') === '#board')
        || (name === 'deadline' && a.getAttribute('href') === '#board') || (name === 'subscriber' && a.getAttribute('href') === '#subscribers');
      if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    try {
      if (name === 'timeline') await timelineView();
      else if (name === 'deadline' && id) await deadlineView(id);
      else if (name === 'new') await deadlineForm(null);
      else if (name === 'subscribers') await subscribersView();
      else if (name === 'subscriber') await subscriberForm(id || null);
      else if (name === 'delivery') await deliveryView();
      else await boardView();
    } catch (e) {
      show(h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, String(e && e.message || e)));
    }
  }

  // ---------- board ----------

  async function loadBoardData() {
    await readSession();
    const now = serverNow();
    const [list, schedule] = await Promise.all([
      api('GET', 'deadlines'),
      api('GET', `schedule?from=${encodeURIComponent(new Date(now).toISOString())}&to=${encodeURIComponent(new Date(now + 92 * 86400000).toISOString())}`),
    ]);
    if (!list.ok) throw new Error(problemText(list));
    const next = new Map();
    for (const a of (schedule.ok ? schedule.json.alerts : [])) {
      const at = Date.parse(a.fireAt);
      const seen = next.get(a.deadlineId);
      if (!seen || at < seen.at) next.set(a.deadlineId, { at, alert: a });
    }
    return { deadlines: list.json.deadlines, next, schedule: schedule.ok ? schedule.json.alerts : [] };
  }

  function latestChange(d) {
    const hist = d.history || [];
    if (hist.length === 0) return '—';
    const last = hist[hist.length - 1];
    return `${last.change} by ${last.by}, ${formatIn(Date.parse(last.at), state.viewerZone, false)}${last.reason ? ': ' + last.reason : ''}`;
  }

  function zoneSelect(id) {
    const sel = h('select', { id, onchange: e => { state.viewerZone = e.target.value; localStorage.setItem(zoneKey, e.target.value); route(); } },
      state.zones.map(z => h('option', { value: z, selected: z === state.viewerZone ? true : null }, z)));
    sel.value = state.viewerZone;
    return sel;
  }

  async function boardView() {
    const data = await loadBoardData();
    const b = state.board;
    const categories = [...new Set(data.deadlines.map(d => d.category).filter(Boolean))].sort();
    const tableHolder = h('div', { class: 'table-wrap' });
    const count = h('p', { class: 'count', 'aria-live': 'polite' });

    const render = () => {
      stopTicking();
      const now = serverNow();
      const text = b.text.trim().toLowerCase();
      let rows = data.deadlines.filter(d => (!b.category || d.category === b.category) && (!b.status || d.status === b.status)
        && (!text || [d.id, d.title, d.category, d.notes].some(v => v && v.toLowerCase().includes(text))));
      const key = { due: d => Date.parse(d.dueInstant), title: d => d.title.toLowerCase(), category: d => (d.category || '').toLowerCase(), status: d => d.status };
      rows = rows.slice().sort((x, y) => { const a = key[b.sort](x), c = key[b.sort](y); return a < c ? -1 : a > c ? 1 : 0; });
      count.textContent = `${rows.length} of ${data.deadlines.length} deadlines`;
      const body = h('tbody');
      for (const d of rows) {
        const due = Date.parse(d.dueInstant);
        const active = d.status === 'active';
        const overdue = active && due < now;
        const soon = active && !overdue && due - now <= 86400000;
        const cd = h('td', { class: 'countdown' }, countdownText(due, d.status));
        state.ticking.push({ el: cd, dueMs: due, status: d.status });
        const next = data.next.get(d.id);
        const open = () => { location.hash = '#deadline/' + encodeURIComponent(d.id); };
        body.append(h('tr', { class: overdue ? 'overdue' : soon ? 'soon' : null, 'data-id': d.id, onclick: e => { if (e.target.tagName !== 'A') open(); } },
          h('th', { scope: 'row' }, h('a', { href: '#deadline/' + encodeURIComponent(d.id) }, d.title), h('span', { class: 'sub' }, d.id)),
          cd,
          h('td', {}, formatIn(due, d.timeZone), h('span', { class: 'sub' }, d.timeZone)),
          h('td', {}, formatIn(due, state.viewerZone)),
          h('td', {}, d.category || '—'),
          h('td', {}, h('span', { class: 'badge ' + d.status }, d.status), overdue ? h('span', { class: 'badge overdue' }, 'overdue') : null,
            soon ? h('span', { class: 'badge soon' }, 'due within 24 h') : null),
          h('td', {}, latestChange(d)),
          h('td', {}, next ? [formatIn(next.at, state.viewerZone), h('span', { class: 'sub' }, `${next.alert.leadTime} to ${next.alert.subscriberId}`)] : '—')));
      }
      const table = h('table', { class: 'board' },
        h('caption', {}, 'Deadlines. Overdue rows are marked red, rows due within 24 hours amber; each row opens the deadline.'),
        h('thead', {}, h('tr', {}, ['Deadline', 'Countdown', 'Due (its zone)', `Due (${state.viewerZone})`, 'Category', 'Status', 'Latest change', 'Next alert']
          .map(c => h('th', { scope: 'col' }, c)))),
        body);
      tableHolder.replaceChildren(rows.length ? table : h('p', {}, data.deadlines.length ? 'No deadline matches these filters.' : 'No deadlines yet. Add one with New deadline.'));
      startTicking();
    };

    const sel = (id, label, options, value, set) => field(id, label, h('select', { onchange: e => { set(e.target.value); render(); } },
      options.map(([v, t]) => h('option', { value: v, selected: v === value ? true : null }, t))));
    show(
      h('h1', {}, 'Board'),
      h('div', { class: 'toolbar' },
        h('a', { class: 'button primary', href: '#new' }, 'New deadline'),
        sel('filter-category', 'Category', [['', 'All categories'], ...categories.map(c => [c, c])], b.category, v => { b.category = v; }),
        sel('filter-status', 'Status', [['', 'All statuses'], ['active', 'active'], ['resolved', 'resolved'], ['cancelled', 'cancelled']], b.status, v => { b.status = v; }),
        field('filter-text', 'Search', h('input', { type: 'search', value: b.text, oninput: e => { b.text = e.target.value; render(); } })),
        sel('sort', 'Sort by', [['due', 'Due time'], ['title', 'Title'], ['category', 'Category'], ['status', 'Status']], b.sort, v => { b.sort = v; }),
        field('viewer-zone', 'Viewer time zone', zoneSelect('viewer-zone-select'))),
      count, tableHolder);
    render();
  }

  // ---------- timeline ----------

  async function timelineView() {
    const data = await loadBoardData();
    const now = serverNow();
    const weeks = 8;
    const end = now + weeks * 7 * 86400000;
    const inWindow = t => t >= now && t <= end;
    const rows = data.deadlines.filter(d => d.status === 'active' && (inWindow(Date.parse(d.dueInstant)) || data.schedule.some(a => a.deadlineId === d.id && inWindow(Date.parse(a.fireAt)))))
      .sort((a, b) => Date.parse(a.dueInstant) - Date.parse(b.dueInstant));
    const left = 210, right = 980, top = 40, rowH = 34;
    const height = top + Math.max(rows.length, 1) * rowH + 20;
    const x = t => left + (Math.min(Math.max(t, now), end) - now) / (end - now) * (right - left);
    const svg = s('svg', { viewBox: `0 0 1000 ${height}`, class: 'timeline', role: 'img', 'aria-labelledby': 'timeline-title timeline-desc' },
      s('title', { id: 'timeline-title' }, `Deadlines and planned alerts, the next ${weeks} weeks`),
      s('desc', { id: 'timeline-desc' }, 'Diamonds are due times, dots are planned alerts; the same data is listed in the table below.'));
    for (let w = 0; w <= weeks; w++) {
      const t = now + w * 7 * 86400000;
      svg.append(s('line', { x1: x(t), x2: x(t), y1: top - 10, y2: height - 10, class: 'grid' }),
        s('text', { x: x(t), y: top - 16, class: 'axis', 'text-anchor': w === weeks ? 'end' : w === 0 ? 'start' : 'middle' }, w === 0 ? 'now' : dayLabel(t, state.viewerZone)));
    }
    rows.forEach((d, i) => {
      const y = top + i * rowH + rowH / 2;
      const label = d.title.length > 25 ? d.title.slice(0, 24) + '…' : d.title;
      svg.append(s('text', { x: 8, y: y + 4, class: 'row-label' }, s('title', {}, d.title), label),
        s('line', { x1: left, x2: right, y1: y, y2: y, class: 'lane' }));
      for (const a of data.schedule.filter(a => a.deadlineId === d.id)) {
        const t = Date.parse(a.fireAt);
        if (!inWindow(t)) continue;
        svg.append(s('circle', { cx: x(t), cy: y, r: 5, class: 'alert-dot' },
          s('title', {}, `${a.leadTime} alert to ${a.subscriberId}: ${formatIn(t, state.viewerZone)}`)));
      }
      const due = Date.parse(d.dueInstant);
      if (inWindow(due)) {
        const cx = x(due);
        svg.append(s('polygon', { points: `${cx},${y - 9} ${cx + 9},${y} ${cx},${y + 9} ${cx - 9},${y}`, class: 'due-mark' },
          s('title', {}, `${d.title} due ${formatIn(due, d.timeZone)}`)));
      }
    });
    if (rows.length === 0) svg.append(s('text', { x: left, y: top + 20, class: 'axis' }, 'Nothing is due or planned in these weeks.'));
    const planned = data.schedule.filter(a => inWindow(Date.parse(a.fireAt))).sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt));
    const titles = new Map(data.deadlines.map(d => [d.id, d.title]));
    show(h('h1', {}, 'Timeline'),
      h('p', {}, `The next ${weeks} weeks in ${state.viewerZone}: when each deadline is due and when subscribers will hear about it.`),
      h('div', { class: 'toolbar' }, field('timeline-zone', 'Viewer time zone', zoneSelect('timeline-zone-select'))),
      h('figure', { class: 'timeline-figure' }, svg, h('figcaption', {}, h('span', { class: 'key due' }, 'due time'), ' ', h('span', { class: 'key alert' }, 'planned alert'))),
      h('h2', {}, 'Planned alerts'),
      planned.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ['When', 'Deadline', 'Subscriber', 'Lead time'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, planned.map(a => h('tr', {}, h('td', {}, formatIn(Date.parse(a.fireAt), state.viewerZone)),
          h('td', {}, h('a', { href: '#deadline/' + encodeURIComponent(a.deadlineId) }, titles.get(a.deadlineId) || a.deadlineId)),
          h('td', {}, a.subscriberId), h('td', {}, a.leadTime)))))) : h('p', {}, 'No alerts are planned in these weeks.'));
  }

  // ---------- field errors ----------

  function clearErrors(form) {
    for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
    for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    const general = form.querySelector('.form-errors');
    if (general) general.replaceChildren();
  }

  /** Puts each of the API's field errors next to its field; errors of fields the form lacks go on top. */
  function showErrors(form, r, prefix) {
    clearErrors(form);
    const general = form.querySelector('.form-errors');
    const errors = (r.json && r.json.errors) || [];
    let first = null;
    const unplaced = [];
    for (const e of errors) {
      const name = String(e.field || '').replace(/\[.*$/, '').split('.')[0];
      const input = name ? form.querySelector(`#${prefix}-${CSS.escape(name)}`) : null;
      const p = name ? form.querySelector(`#${prefix}-${CSS.escape(name)}-error`) : null;
      const msg = `${e.field}${e.value !== null && e.value !== undefined ? ' "' + e.value + '"' : ''} ${e.problem}`;
      if (p) {
        p.textContent = p.textContent ? p.textContent + '; ' + msg : msg;
        if (input) input.setAttribute('aria-invalid', 'true');
        first = first || input || p;
      } else unplaced.push(msg);
    }
    if (errors.length === 0 || unplaced.length) {
      general.append(h('p', {}, problemText(r)), unplaced.length ? h('ul', {}, unplaced.map(m => h('li', {}, m))) : null);
    }
    const target = first && first.focus && first.tagName !== 'P' ? first : general;
    target.focus();
  }

  function splitList(text) { return text.split(/[\s,]+/).map(t => t.trim()).filter(Boolean); }

  function zoneHint(input, hintEl) {
    const check = () => {
      const v = input.value.trim();
      const key = Object.keys(state.windows).find(k => k.toLowerCase() === v.toLowerCase());
      hintEl.replaceChildren();
      if (key) {
        const iana = state.windows[key];
        hintEl.append(`"${key}" is a Windows time zone id; use the IANA id ${iana}. `,
          h('button', { type: 'button', class: 'link', onclick: () => { input.value = iana; check(); input.focus(); } }, `Use ${iana}`));
      } else if (v && state.zones.length && !state.zones.includes(v)) hintEl.append(`"${v}" is not an IANA zone id of this host's tz data.`);
    };
    input.addEventListener('input', check);
    check();
  }

  // ---------- deadline view and forms ----------

  async function deadlineView(id) {
    const r = await api('GET', 'deadlines/' + encodeURIComponent(id));
    if (!r.ok) { show(h('h1', {}, 'Deadline not found'), h('p', { role: 'alert' }, problemText(r)), h('a', { href: '#board' }, 'Back to the board')); return; }
    await readSession();
    const d = r.json;
    let etag = r.etag;
    const due = Date.parse(d.dueInstant);
    const cd = h('p', { class: 'big-countdown', id: 'countdown' }, countdownText(due, d.status));
    state.ticking.push({ el: cd, dueMs: due, status: d.status });

    const actions = h('section', { 'aria-labelledby': 'actions-title' }, h('h2', { id: 'actions-title' }, 'Milestones'));
    const outcome = h('p', { class: 'outcome', role: 'status' });
    const milestone = async (kind, body, form) => {
      const res = await api('POST', `deadlines/${encodeURIComponent(id)}/${kind}`, body, etag ? { 'If-Match': etag } : {});
      if (res.ok) { toast(`${kind === 'extend' ? 'Extended' : kind === 'resolve' ? 'Resolved' : 'Cancelled'}: ${d.title}`); await deadlineView(id); return; }
      if (res.status === 412) { staleNotice(outcome, res, () => deadlineView(id)); return; }
      showErrors(form, res, kind);
    };
    if (d.status === 'active') {
      const extend = h('form', { class: 'inline-form', novalidate: true, onsubmit: async e => {
        e.preventDefault();
        await milestone('extend', { to: extend.querySelector('#extend-to').value.trim(), reason: extend.querySelector('#extend-reason').value.trim() || undefined }, extend);
      } },
      h('div', { class: 'form-errors', tabindex: '-1' }),
      field('extend-to', 'Extend to', h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: '2025-11-10T00:01' }), `Local date and time in ${d.timeZone}`),
      field('extend-reason', 'Reason for the extension', h('input', { type: 'text' })),
      h('button', { type: 'submit', class: 'primary' }, 'Extend'));
      const done = (kind, label, reasonLabel) => {
        const f = h('form', { class: 'inline-form', novalidate: true, onsubmit: async e => {
          e.preventDefault();
          await milestone(kind, { reason: f.querySelector(`#${kind}-reason`).value.trim() || undefined }, f);
        } }, h('div', { class: 'form-errors', tabindex: '-1' }), field(`${kind}-reason`, reasonLabel, h('input', { type: 'text' })), h('button', { type: 'submit', class: kind === 'cancel' ? 'danger' : '' }, label));
        return f;
      };
      actions.append(extend, done('resolve', 'Resolve', 'Reason for resolving'), done('cancel', 'Cancel deadline', 'Reason for cancelling'));
    } else actions.append(h('p', {}, `This deadline is ${d.status}; no further alerts go out.`));
    actions.append(outcome);

    const [audit, alerts] = await Promise.all([
      api('GET', 'audit?deadline=' + encodeURIComponent(id) + '&max=100'),
      api('GET', 'alerts?deadline=' + encodeURIComponent(id) + '&max=100'),
    ]);
    const milestones = (d.history || []).slice().reverse();
    show(
      h('p', { class: 'crumbs' }, h('a', { href: '#board' }, 'Board'), ' › ', d.id),
      h('h1', {}, d.title),
      cd,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Due'), h('dd', {}, formatIn(due, d.timeZone), ` (${d.due} ${d.timeZone})`),
        h('dt', {}, `Due in ${state.viewerZone}`), h('dd', {}, formatIn(due, state.viewerZone)),
        h('dt', {}, 'Status'), h('dd', {}, h('span', { class: 'badge ' + d.status }, d.status), ' ', d.standing || ''),
        h('dt', {}, 'Category'), h('dd', {}, d.category || '—'),
        h('dt', {}, 'Lead times'), h('dd', {}, (d.leadTimes || []).join(' ') || 'subscribers\' own or the default'),
        h('dt', {}, 'Notes'), h('dd', { class: 'notes' }, d.notes || '—')),
      h('p', {}, h('button', { type: 'button', onclick: () => deadlineForm(d, etag) }, 'Edit deadline')),
      actions,
      h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'History'),
        h('h3', {}, 'Extensions and milestones'),
        milestones.length ? h('ol', { class: 'history', reversed: true }, milestones.map(m => h('li', {},
          h('strong', {}, m.change), ` by ${m.by}, ${formatIn(Date.parse(m.at), state.viewerZone)}: `,
          `${m.from.due} → ${m.to.due} (${m.to.timeZone})`, m.reason ? ` — ${m.reason}` : ''))) : h('p', {}, 'No extension, resolution or cancellation yet.'),
        h('h3', {}, 'Audit log'),
        audit.ok && audit.json.entries.length ? h('ol', { class: 'history', reversed: true }, audit.json.entries.map(e => h('li', {},
          h('strong', {}, e.action), ` by ${e.actor}, ${formatIn(Date.parse(e.at), state.viewerZone)}`, e.summary ? `: ${e.summary}` : '')))
          : h('p', {}, audit.ok ? 'No audit entries.' : problemText(audit))),
      h('section', { 'aria-labelledby': 'ledger-title' }, h('h2', { id: 'ledger-title' }, 'Alerts and notices sent for it'),
        alerts.ok ? ledgerTable(alerts.json.alerts, () => deadlineView(id)) : h('p', {}, problemText(alerts))));
    startTicking();
  }

  function staleNotice(holder, res, reload, overwrite) {
    const cur = (res.json && res.json.current) || {};
    holder.replaceChildren(h('div', { class: 'stale', role: 'alert' },
      h('p', {}, h('strong', {}, 'Someone changed this deadline since you opened it; nothing was written.')),
      h('p', {}, `Now: "${cur.title || ''}", due ${cur.due || ''} ${cur.timeZone || ''}, ${cur.status || ''}.`),
      h('button', { type: 'button', onclick: reload }, 'Reload'),
      overwrite ? h('button', { type: 'button', class: 'danger', onclick: overwrite }, 'Overwrite') : null));
    holder.querySelector('button').focus();
  }

  function ledgerTable(rows, refresh) {
    if (!rows.length) return h('p', {}, 'Nothing in the ledger yet.');
    return h('div', { class: 'table-wrap' }, h('table', { class: 'ledger' },
      h('thead', {}, h('tr', {}, ['Fires', 'Kind', 'Deadline', 'Subscriber', 'Channel', 'Status', 'Attempts', 'Last reason', ''].map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map(a => {
        const out = h('span', { class: 'outcome', role: 'status' });
        return h('tr', { class: a.status === 'failed' ? 'failed' : null },
          h('td', {}, formatIn(Date.parse(a.fireAt), state.viewerZone)),
          h('td', {}, a.kind + (a.leadTime ? ' ' + a.leadTime : '')),
          h('td', {}, a.deadlineId), h('td', {}, a.subscriberId), h('td', {}, a.channelId),
          h('td', {}, h('span', { class: 'badge ' + a.status }, a.status), a.sentAt ? h('span', { class: 'sub' }, 'sent ' + formatIn(Date.parse(a.sentAt), state.viewerZone)) : null),
          h('td', {}, String(a.attempts)),
          h('td', {}, a.lastError || '—'),
          h('td', {}, a.status === 'failed' ? [h('button', { type: 'button', onclick: async () => {
            const r = await api('POST', `alerts/${encodeURIComponent(a.ledgerKey)}/resend`);
            out.textContent = r.ok ? `Re-sent (new row ${r.json.status})` : problemText(r);
            if (r.ok && refresh) setTimeout(refresh, 1500);
          }, 'aria-label': `Re-send ${a.kind} of ${a.deadlineId} to ${a.subscriberId} ${a.channelId}` }, 'Re-send'), out] : null));
      }))));
  }

  function deadlineBody(form, original) {
    const v = name => form.querySelector('#dl-' + name).value.trim();
    const body = {};
    if (original) for (const [k, val] of Object.entries(original)) if (!['dueInstant', 'standing', 'overdue', 'history'].includes(k)) body[k] = val;
    body.id = v('id');
    body.title = v('title');
    body.due = v('due');
    body.timeZone = v('timeZone');
    const leads = splitList(v('leadTimes'));
    if (leads.length) body.leadTimes = leads; else delete body.leadTimes;
    if (v('category')) body.category = v('category'); else delete body.category;
    if (v('notes')) body.notes = v('notes'); else delete body.notes;
    return body;
  }

  async function deadlineForm(original, etag) {
    stopTicking();
    const editing = !!original;
    const d = original || { id: '', title: '', due: '', timeZone: state.viewerZone, leadTimes: ['P7D', 'P1D', 'PT1H'], category: '', notes: '' };
    const stale = h('div', { class: 'stale-holder' });
    const zoneInput = h('input', { type: 'text', value: d.timeZone, list: 'zone-list', autocomplete: 'off', required: true, spellcheck: 'false' });
    const zoneHintEl = h('p', { class: 'hint', id: 'dl-timeZone-zonehint', 'aria-live': 'polite' });
    const form = h('form', { class: 'record-form', novalidate: true },
      h('div', { class: 'form-errors', tabindex: '-1', role: 'alert' }),
      field('dl-id', 'Id', h('input', { type: 'text', value: d.id, required: true, readonly: editing ? true : null, autocomplete: 'off', spellcheck: 'false' }),
        'Letters, digits, . _ -; cannot change later'),
      field('dl-title', 'Title', h('input', { type: 'text', value: d.title, required: true })),
      field('dl-due', 'Due', h('input', { type: 'text', value: d.due ? String(d.due).replace(/:00$/, '') : '', required: true, autocomplete: 'off', placeholder: '2025-08-12T00:01' }),
        'Local date and time in the time zone below, e.g. 2025-08-12T00:01'),
      field('dl-timeZone', 'Time zone', zoneInput, 'IANA id, e.g. America/New_York'),
      zoneHintEl,
      field('dl-leadTimes', 'Lead times', h('input', { type: 'text', value: (d.leadTimes || []).join(' '), autocomplete: 'off' }),
        'ISO 8601 durations separated by spaces: P7D P1D PT1H PT0S'),
      field('dl-category', 'Category', h('input', { type: 'text', value: d.category || '' })),
      field('dl-notes', 'Notes', h('textarea', { rows: 3 }, d.notes || '')),
      stale,
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary' }, editing ? 'Save changes' : 'Create deadline'),
        h('a', { class: 'button', href: editing ? '#deadline/' + encodeURIComponent(d.id) : '#board', onclick: e => { if (editing) { e.preventDefault(); deadlineView(d.id); } } }, 'Back')));
    zoneHint(zoneInput, zoneHintEl);
    const save = async overwriteEtag => {
      const body = deadlineBody(form, original);
      const r = editing
        ? await api('PUT', 'deadlines/' + encodeURIComponent(d.id), body, { 'If-Match': overwriteEtag || etag })
        : await api('POST', 'deadlines', body);
      if (r.ok) { toast(editing ? `Saved ${body.id}` : `Created ${body.id}`); location.hash = '#deadline/' + encodeURIComponent(body.id); if (editing) await deadlineView(body.id); return; }
      if (r.status === 412) {
        clearErrors(form);
        staleNotice(stale, r, () => deadlineForm(r.json.current, r.etag), () => save(r.etag));
        return;
      }
      showErrors(form, r, 'dl');
    };
    form.addEventListener('submit', e => { e.preventDefault(); save(); });
    show(h('p', { class: 'crumbs' }, h('a', { href: '#board' }, 'Board'), ' › ', editing ? d.id : 'New deadline'),
      h('h1', {}, editing ? `Edit ${d.title}` : 'New deadline'), form);
  }

  // ---------- subscribers ----------

  async function subscribersView() {
    const r = await api('GET', 'subscribers');
    if (!r.ok) throw new Error(problemText(r));
    const list = r.json.subscribers;
    show(h('h1', {}, 'Subscribers'),
      h('div', { class: 'toolbar' }, h('a', { class: 'button primary', href: '#subscriber' }, 'Add subscriber')),
      list.length ? h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ['Subscriber', 'Time zone', 'Follows', 'Lead times', 'Channels'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map(sub => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: '#subscriber/' + encodeURIComponent(sub.id) }, sub.name || sub.id), h('span', { class: 'sub' }, sub.id)),
          h('td', {}, sub.timeZone || 'each deadline\'s'),
          h('td', {}, [...(sub.categories || []).map(c => 'category ' + c), ...(sub.deadlines || [])].join(', ') || '—'),
          h('td', {}, (sub.leadTimes || []).join(' ') || 'the deadline\'s'),
          h('td', {}, h('ul', { class: 'plain' }, sub.channels.map(c => h('li', {}, `${c.type} ${c.url || c.address}`,
            c.broken ? h('span', { class: 'badge failed' }, 'broken') : null))))))))) : h('p', {}, 'No subscribers yet.'));
  }

  function channelRow(c, subscriberId, onRemove) {
    const out = h('p', { class: 'outcome', role: 'status' });
    const idx = Math.random().toString(36).slice(2, 8);
    const type = h('select', { id: `ch-type-${idx}`, disabled: c.id ? true : null },
      ['webhook', 'slack', 'teams', 'email'].map(t => h('option', { value: t, selected: t === c.type ? true : null }, t)));
    const target = h('input', { type: 'text', id: `ch-target-${idx}`, value: c.url || c.address || '', readonly: c.id ? true : null, autocomplete: 'off', spellcheck: 'false' });
    const row = h('fieldset', { class: 'channel', 'data-channel-id': c.id || '' },
      h('legend', {}, c.id ? `Channel ${c.id}` : 'New channel'),
      h('div', { class: 'field' }, h('label', { for: type.id }, 'Type'), type),
      h('div', { class: 'field' }, h('label', { for: target.id }, 'URL or address'), target,
        c.id ? h('p', { class: 'hint' }, 'Stored URL shown redacted; it is kept as it is. Remove the channel and add a new one to change it.') : null),
      c.broken ? h('p', { class: 'broken', role: 'note' }, `Marked broken: ${c.broken}`) : null,
      h('div', { class: 'buttons' },
        c.id && subscriberId ? h('button', { type: 'button', onclick: async () => {
          out.textContent = 'Sending a test message…';
          const r = await api('POST', `subscribers/${encodeURIComponent(subscriberId)}/channels/${encodeURIComponent(c.id)}/test`);
          out.textContent = r.ok ? (r.json.delivered ? `Test message delivered to ${r.json.channel}` : `Test message not delivered: ${r.json.outcome}`) : problemText(r);
        } }, 'Send test') : null,
        c.id && subscriberId && c.broken ? h('button', { type: 'button', onclick: async () => {
          const r = await api('POST', `subscribers/${encodeURIComponent(subscriberId)}/channels/${encodeURIComponent(c.id)}/clear`);
          out.textContent = r.ok ? `Cleared: ${r.json.detail}` : problemText(r);
        } }, 'Clear') : null,
        h('button', { type: 'button', class: 'danger', onclick: () => { row.remove(); onRemove && onRemove(); } }, 'Remove channel')),
      out);
    row.channel = () => {
      if (c.id) return Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'broken'));
      const t = type.value;
      const v = target.value.trim();
      return t === 'email' ? { type: t, address: v } : { type: t, url: v };
    };
    return row;
  }

  async function subscriberForm(id) {
    let sub = { id: '', name: '', channels: [] };
    let etag = null;
    if (id) {
      const r = await api('GET', 'subscribers/' + encodeURIComponent(id));
      if (!r.ok) { show(h('h1', {}, 'Subscriber not found'), h('p', { role: 'alert' }, problemText(r))); return; }
      sub = r.json; etag = r.etag;
    }
    const editing = !!id;
    const channels = h('div', { class: 'channels' }, sub.channels.map(c => channelRow(c, sub.id)));
    const secrets = h('div', { class: 'secrets', 'aria-live': 'polite' });
    const stale = h('div');
    const q = sub.quietHours || {};
    const dg = sub.digest || {};
    const zoneInput = h('input', { type: 'text', value: sub.timeZone || '', list: 'zone-list', autocomplete: 'off', spellcheck: 'false' });
    const zoneHintEl = h('p', { class: 'hint', 'aria-live': 'polite' });
    const form = h('form', { class: 'record-form', novalidate: true },
      h('div', { class: 'form-errors', tabindex: '-1', role: 'alert' }),
      field('sb-id', 'Id', h('input', { type: 'text', value: sub.id, readonly: editing ? true : null, required: true, autocomplete: 'off' })),
      field('sb-name', 'Name', h('input', { type: 'text', value: sub.name || '' })),
      field('sb-timeZone', 'Time zone', zoneInput, 'IANA id; empty: times are read in each deadline\'s zone'), zoneHintEl,
      field('sb-locale', 'Language', h('input', { type: 'text', value: sub.locale || '', autocomplete: 'off', spellcheck: 'false', placeholder: 'zh-CN' }),
        'BCP 47 tag of the messages\' language and dates, e.g. zh-CN or sv; empty: English'),
      field('sb-categories', 'Categories', h('input', { type: 'text', value: (sub.categories || []).join(' ') }), 'Follows every deadline of these categories (space separated)'),
      field('sb-deadlines', 'Deadlines', h('input', { type: 'text', value: (sub.deadlines || []).join(' ') }), 'And these deadline ids'),
      field('sb-leadTimes', 'Lead times', h('input', { type: 'text', value: (sub.leadTimes || []).join(' ') }), 'Replaces the deadline\'s lead times, e.g. P7D P1D'),
      h('fieldset', {}, h('legend', {}, 'Quiet hours'),
        field('sb-quietFrom', 'From', h('input', { type: 'text', value: q.from || '', placeholder: '22:00' })),
        field('sb-quietTo', 'To', h('input', { type: 'text', value: q.to || '', placeholder: '07:00' })),
        h('div', { class: 'field checkbox' }, h('input', { type: 'checkbox', id: 'sb-quietUrgent', checked: q.urgent !== false }),
          h('label', { for: 'sb-quietUrgent' }, 'Change notices pass through quiet hours')),
        h('p', { class: 'field-error', id: 'sb-quietHours-error' })),
      h('fieldset', {}, h('legend', {}, 'Digest'),
        field('sb-digestEvery', 'Every', h('select', {}, [['', 'no digest'], ['day', 'day'], ['week', 'week']].map(([v, t]) => h('option', { value: v, selected: dg.every === v ? true : null }, t)))),
        field('sb-digestOn', 'On (weekly)', h('input', { type: 'text', value: dg.on || '', placeholder: 'monday' })),
        field('sb-digestAt', 'At', h('input', { type: 'text', value: dg.at || '', placeholder: '08:00' })),
        h('p', { class: 'field-error', id: 'sb-digest-error' })),
      h('fieldset', {}, h('legend', {}, 'Channels'), channels,
        h('p', { class: 'field-error', id: 'sb-channels-error' }),
        h('button', { type: 'button', onclick: () => { const row = channelRow({ type: 'webhook' }, null); channels.append(row); row.querySelector('select').focus(); } }, 'Add channel')),
      stale, secrets,
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, editing ? 'Save subscriber' : 'Create subscriber'),
        h('a', { class: 'button', href: '#subscribers' }, 'Back')));
    zoneHint(zoneInput, zoneHintEl);
    const body = () => {
      const v = n => form.querySelector('#sb-' + n).value.trim();
      const b = { id: v('id') };
      if (v('name')) b.name = v('name');
      if (v('timeZone')) b.timeZone = v('timeZone');
      if (v('locale')) b.locale = v('locale');
      if (splitList(v('categories')).length) b.categories = splitList(v('categories'));
      if (splitList(v('deadlines')).length) b.deadlines = splitList(v('deadlines'));
      if (splitList(v('leadTimes')).length) b.leadTimes = splitList(v('leadTimes'));
      if (v('quietFrom') || v('quietTo')) b.quietHours = { from: v('quietFrom'), to: v('quietTo'), urgent: form.querySelector('#sb-quietUrgent').checked };
      if (v('digestEvery')) { b.digest = { every: v('digestEvery'), at: v('digestAt') }; if (v('digestOn')) b.digest.on = v('digestOn'); }
      b.channels = [...channels.querySelectorAll('fieldset.channel')].map(row => row.channel());
      return b;
    };
    const save = async overwriteEtag => {
      const b = body();
      const r = editing ? await api('PUT', 'subscribers/' + encodeURIComponent(sub.id), b, { 'If-Match': overwriteEtag || etag }) : await api('POST', 'subscribers', b);
      if (r.ok) {
        const generated = r.json.generatedSecrets || [];
        if (!editing) history.replaceState(null, '', '#subscriber/' + encodeURIComponent(b.id)); // a reload shows this subscriber
        await subscriberForm(b.id);
        if (generated.length) {
          const holder = document.querySelector('.secrets');
          holder.replaceChildren(h('div', { class: 'notice' }, h('p', {}, h('strong', {}, 'New webhook signing secrets, shown this once: copy them to the receiver now.')),
            h('ul', {}, generated.map(g => h('li', {}, `${g.channel}: `, h('code', {}, g.secret))))));
        }
        toast(`Saved subscriber ${b.id}`);
        return;
      }
      if (r.status === 412) { staleNotice(stale, r, () => subscriberForm(sub.id), () => save(r.etag)); return; }
      showErrors(form, r, 'sb');
    };
    form.addEventListener('submit', e => { e.preventDefault(); save(); });
    show(h('p', { class: 'crumbs' }, h('a', { href: '#subscribers' }, 'Subscribers'), ' › ', editing ? sub.id : 'New subscriber'),
      h('h1', {}, editing ? `Subscriber ${sub.name || sub.id}` : 'Add subscriber'), form);
  }

  // ---------- delivery health ----------

  async function deliveryView() {
    await readSession();
    const since = new Date(serverNow() - 7 * 86400000).toISOString();
    const [health, alerts, subs, poison] = await Promise.all([
      api('GET', 'health'), api('GET', `alerts?since=${encodeURIComponent(since)}&max=5000`), api('GET', 'subscribers'), api('GET', 'poison')]);
    const rows = alerts.ok ? alerts.json.alerts : [];
    const counts = new Map();
    for (const a of rows) counts.set(a.status, (counts.get(a.status) || 0) + 1);
    const failed = rows.filter(a => a.status === 'failed');
    const broken = subs.ok ? subs.json.subscribers.flatMap(sub => sub.channels.filter(c => c.broken).map(c => ({ sub, c }))) : [];
    const hj = health.json || {};
    const poisonOut = h('p', { class: 'outcome', role: 'status' });
    show(h('h1', {}, 'Delivery health'),
      h('section', { 'aria-labelledby': 'h-tick' }, h('h2', { id: 'h-tick' }, 'The tick'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Status'), h('dd', {}, h('span', { class: 'badge ' + (hj.status || 'unknown') }, hj.status || 'unknown')),
          h('dt', {}, 'Last tick'), h('dd', {}, hj.lastTick ? formatIn(Date.parse(hj.lastTick), state.viewerZone) : 'none yet'),
          h('dt', {}, 'Lag'), h('dd', {}, hj.lagSeconds !== undefined && hj.lagSeconds !== null ? `${hj.lagSeconds} s (scan period ${hj.scanPeriodSeconds} s)` : '—'),
          h('dt', {}, 'Queued messages'), h('dd', {}, String(hj.queuedMessages ?? '—')),
          h('dt', {}, 'Unreadable records'), h('dd', {}, String(hj.unreadableRecords ?? '—'))),
        hj.checks ? h('ul', {}, hj.checks.map(c => h('li', {}, `${c.name}: ${c.status} — ${c.detail}`))) : null),
      h('section', { 'aria-labelledby': 'h-status' }, h('h2', { id: 'h-status' }, 'Alerts of the last 7 days by status'),
        alerts.ok ? (counts.size ? h('table', { class: 'counts' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Alerts'))),
          h('tbody', {}, [...counts.entries()].sort().map(([k, v]) => h('tr', {}, h('td', {}, h('span', { class: 'badge ' + k }, k)), h('td', {}, String(v))))))
          : h('p', {}, 'Nothing was planned or sent in the last 7 days.')) : h('p', {}, problemText(alerts))),
      h('section', { 'aria-labelledby': 'h-failed' }, h('h2', { id: 'h-failed' }, 'Failed alerts'),
        failed.length ? ledgerTable(failed, deliveryView) : h('p', {}, 'No failed alert in the last 7 days.')),
      h('section', { 'aria-labelledby': 'h-broken' }, h('h2', { id: 'h-broken' }, 'Channels marked broken'),
        broken.length ? h('ul', { class: 'plain broken-list' }, broken.map(({ sub, c }) => {
          const out = h('span', { class: 'outcome', role: 'status' });
          return h('li', {}, h('strong', {}, `${sub.name || sub.id} · ${c.id}`), ` (${c.type} ${c.url || c.address}): ${c.broken} `,
            h('button', { type: 'button', onclick: async () => {
              const r = await api('POST', `subscribers/${encodeURIComponent(sub.id)}/channels/${encodeURIComponent(c.id)}/test`);
              out.textContent = r.ok ? (r.json.delivered ? 'Test message delivered' : `Test message not delivered: ${r.json.outcome}`) : problemText(r);
            } }, 'Send test'), ' ',
            h('button', { type: 'button', onclick: async () => {
              const r = await api('POST', `subscribers/${encodeURIComponent(sub.id)}/channels/${encodeURIComponent(c.id)}/clear`);
              if (r.ok) { toast(`Cleared ${c.id}: ${r.json.detail}`); await deliveryView(); } else out.textContent = problemText(r);
            } }, 'Clear'), ' ', out);
        })) : h('p', {}, 'No channel is marked broken.')),
      h('section', { 'aria-labelledby': 'h-poison' }, h('h2', { id: 'h-poison' }, 'Poison queue'),
        poison.ok ? (poison.json.alerts.length ? [h('p', {}, `${poison.json.alerts.length} deliveries gave up after their last attempt.`),
          ledgerTable(poison.json.alerts, null),
          h('button', { type: 'button', onclick: async () => {
            const r = await api('POST', 'poison/retry');
            poisonOut.textContent = r.ok ? `Re-sent ${r.json.resent.length}; ${r.json.problems.length ? 'problems: ' + r.json.problems.join('; ') : 'no problems'}` : problemText(r);
          } }, 'Retry all'), poisonOut] : h('p', {}, 'The poison queue is empty.')) : h('p', {}, problemText(poison))),
      h('p', {}, h('button', { type: 'button', onclick: () => deliveryView() }, 'Refresh')));
  }

  // ---------- start ----------

  document.getElementById('sign-in-form').addEventListener('submit', async e => {
    e.preventDefault();
    const key = document.getElementById('operator-key').value.trim();
    if (!key) {
      document.getElementById('operator-key').setAttribute('aria-invalid', 'true');
      document.getElementById('sign-in-error').textContent = 'Type the operator key first.';
      return;
    }
    await signIn(key);
  });
  document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
  window.addEventListener('hashchange', route);
  if (state.key) signIn(state.key); else document.getElementById('operator-key').focus();
})();
