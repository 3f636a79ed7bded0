// The review page's one script: keys, selection, held verdicts with undo, and live updates.
// It fetches server-rendered fragments (escaped on the server) with the reviewer's key from
// session storage, and sends verdicts to the JSON API; it never builds markup from data.
'use strict';
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
  const KEY = 'arbiter.review.key';
  const SHORTCUTS = 'arbiter.review.shortcuts';
  const grace = Number(document.body.dataset.graceMs) || 0;
  const state = { tab: 'pending', query: '', words: [], focusId: null, selected: new Set(), anchor: null, open: null, mode: 'list', held: [], lastG: 0, presets: [], shown: '' };

  // ---- talking to the gate ----
  async function api(path, body) {
    const headers = { authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(path, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
    if (r.status === 401) { signOut('That key is not valid.'); throw new Error('unauthorized'); }
    return r;
  }
  async function fragment(path) {
    const r = await api(path);
    if (!r.ok) throw new Error(((await r.json()).error || {}).message || `${r.status}`);
    return r.text();
  }
  async function post(path, body) {
    const r = await api(path, body);
    return { ok: r.ok, body: await r.json() };
  }

  // ---- the queue ----
  const rows = () => $$('[data-role=list] .item').filter((li) => !li.hidden);
  const focused = () => rows().find((li) => li.dataset.id === state.focusId) || null;

  function listPath(limit) {
    const params = new URLSearchParams({ status: state.tab, limit: String(limit) });
    for (const [k, v] of state.query.split(/\s+/).filter((t) => t.includes(':')).map((t) => t.split(':'))) {
      params.set(k === 'age' ? 'older_than' : k, v);
    }
    return `/review/fragments/list?${params}`;
  }

  /** The queue as it is now; `limit` is smaller only for the first screenful, so a long queue is usable at once. */
  async function refresh(limit = 1000) {
    let html;
    try { html = await fragment(listPath(limit)); } catch (e) { toast(e.message); return; }
    if (html !== state.shown) {
      const index = Math.max(0, rows().findIndex((li) => li.dataset.id === state.focusId));
      state.shown = html;
      $('[data-role=list]').innerHTML = html;
      for (const li of $$('[data-role=list] .item')) li.hidden = state.words.some((w) => !li.textContent.toLowerCase().includes(w));
      const all = rows();
      state.selected = new Set([...state.selected].filter((id) => all.some((li) => li.dataset.id === id)));
      if (!all.some((li) => li.dataset.id === state.focusId)) state.focusId = all[Math.min(index, all.length - 1)]?.dataset.id || null;
    }
    paint();
    strip();
  }

  async function strip() {
    try { $('[data-role=strip]').innerHTML = await fragment('/review/fragments/strip'); } catch { /* the next poll tries again */ }
  }

  function paint() {
    const held = new Set(state.held.flatMap((h) => h.ids));
    for (const li of $$('[data-role=list] .item')) {
      li.classList.toggle('focused', li.dataset.id === state.focusId);
      li.classList.toggle('selected', state.selected.has(li.dataset.id));
      li.classList.toggle('held', held.has(li.dataset.id));
      if (li.dataset.id === state.focusId) li.setAttribute('aria-current', 'true'); else li.removeAttribute('aria-current');
    }
    focused()?.scrollIntoView({ block: 'nearest' });
    const bar = $('[data-role=bar]');
    bar.hidden = state.selected.size === 0;
    bar.textContent = `${state.selected.size} selected · approve A · reject R · clear Esc`;
    clock();
  }

  /** What changes by the second: the held verdicts' countdowns and each item's time left. */
  function clock() {
    $('[data-role=held]').textContent = state.held.map((h) => `${h.label}: sending in ${Math.max(0, Math.ceil((h.at - Date.now()) / 1000))} s, U to undo`).join(' · ');
    ticks();
  }

  function move(by, extend) {
    const all = rows();
    if (!all.length) return;
    const at = all.findIndex((li) => li.dataset.id === state.focusId);
    const next = all[Math.max(0, Math.min(all.length - 1, (at < 0 ? 0 : at + by)))];
    if (extend) {
      if (state.focusId) state.selected.add(state.focusId);
      state.selected.add(next.dataset.id);
    }
    state.focusId = next.dataset.id;
    paint();
  }
  const jump = (last) => { const all = rows(); if (all.length) { state.focusId = all[last ? all.length - 1 : 0].dataset.id; paint(); } };

  async function open() {
    const li = focused();
    if (!li) return null;
    const pane = $('[data-role=detail]');
    try { pane.innerHTML = await fragment(`/review/fragments/item/${encodeURIComponent(li.dataset.id)}`); } catch (e) { toast(e.message); return null; }
    state.open = li.dataset.id;
    clock();
    return $('.detail', pane);
  }
  const detailFor = async (id) => (state.open === id ? $('[data-role=detail] .detail') : open());

  // ---- verdicts, held for the grace window so U can take them back before they are sent ----
  function hold(ids, label, run) {
    const h = { ids, label, at: Date.now() + grace, timer: 0 };
    h.timer = setTimeout(() => fire(h, run), grace);
    state.held.push(h);
    state.selected.clear();
    const all = rows();
    const next = all.slice(all.findIndex((li) => li.dataset.id === state.focusId) + 1).find((li) => !ids.includes(li.dataset.id) && !li.classList.contains('held'));
    if (next) state.focusId = next.dataset.id;
    paint();
  }
  async function fire(h, run) {
    state.held = state.held.filter((x) => x !== h);
    try { toast(await run()); } catch (e) { toast(e.message); }
    refresh();
  }
  function undo() {
    const h = state.held.pop();
    if (!h) { toast('Nothing to undo: verdicts already sent are final.'); return; }
    clearTimeout(h.timer);
    state.focusId = h.ids[0];
    toast(`Undone: ${h.label}`);
    paint();
  }
  const said = (r, done) => (r.ok ? done : (r.body.error || {}).message || 'failed');

  function approve() {
    const picked = state.selected.size ? rows().filter((li) => state.selected.has(li.dataset.id)) : [focused()].filter(Boolean);
    if (!picked.length) return;
    if (picked.length === 1 && !state.selected.size) {
      const li = picked[0];
      hold([li.dataset.id], `approve ${li.dataset.action}`, async () => said(await post(`/v1/reviews/${li.dataset.id}/approve`, { proposalHash: li.dataset.hash }), 'Approved.'));
      return;
    }
    const actions = new Set(picked.map((li) => li.dataset.action));
    const refused = picked.filter((li) => li.dataset.batch);
    if (actions.size > 1) return toast(`A batch approval is for one action; the selection holds ${[...actions].join(', ')}.`);
    if (refused.length) return toast(`Cannot approve these in a batch: ${refused[0].dataset.batch}. Approve them one by one.`);
    confirm(`Approve ${picked.length} items of ${[...actions][0]}?`, () => {
      const items = picked.map((li) => ({ id: li.dataset.id, proposalHash: li.dataset.hash }));
      hold(items.map((i) => i.id), `approve ${items.length} items`, async () => batchSaid(await post('/v1/reviews/batch', { verdict: 'approve', items }), 'approved'));
    });
  }
  function batchSaid(r, verb) {
    if (!r.ok) return said(r);
    const failed = r.body.items.filter((a) => !a.ok);
    return `${r.body.items.length - failed.length} ${verb}${failed.length ? `; ${failed.length} not: ${failed[0].error.message}` : '.'}`;
  }

  async function reject() {
    const li = focused();
    if (!li) return;
    const detail = await detailFor(li.dataset.id);
    if (!detail) return;
    state.mode = 'reason';
    $('[data-role=reason-picker]', detail).hidden = false;
  }
  function rejectWith(reason) {
    const detail = $('[data-role=detail] .detail');
    const picked = state.selected.size ? rows().filter((li) => state.selected.has(li.dataset.id)) : [focused()].filter(Boolean);
    closePanels();
    if (!picked.length || !detail) return;
    if (picked.length === 1 && !state.selected.size) {
      const li = picked[0];
      hold([li.dataset.id], `reject ${li.dataset.action}`, async () => said(await post(`/v1/reviews/${li.dataset.id}/reject`, { proposalHash: li.dataset.hash, reason }), 'Rejected.'));
      return;
    }
    const items = picked.map((x) => ({ id: x.dataset.id, proposalHash: x.dataset.hash }));
    hold(items.map((i) => i.id), `reject ${items.length} items`, async () => batchSaid(await post('/v1/reviews/batch', { verdict: 'reject', items, reason }), 'rejected'));
  }

  async function edit() {
    const li = focused();
    if (!li) return;
    const detail = await detailFor(li.dataset.id);
    if (!detail) return;
    state.mode = 'edit';
    const form = $('[data-role=edit-form]', detail);
    form.hidden = false;
    $('input, select, textarea', form)?.focus();
  }
  async function submitEdit() {
    const detail = $('[data-role=detail] .detail');
    const changes = {};
    try {
      for (const el of $$('[data-role=edit-form] [name]', detail)) {
        const value = el.dataset.kind === 'boolean' ? el.checked : el.dataset.kind === 'number' ? (el.value === '' ? null : Number(el.value))
          : el.dataset.kind === 'string' ? (el.value === '' && el.dataset.original === 'null' ? null : el.value) : (el.value.trim() === '' ? null : JSON.parse(el.value));
        if (JSON.stringify(value) !== el.dataset.original) changes[el.name] = value;
      }
    } catch { return toast('A JSON field does not parse.'); }
    if (!Object.keys(changes).length) return toast('Nothing changed.');
    const r = await post(`/v1/reviews/${detail.dataset.id}/edit`, { proposalHash: detail.dataset.hash, changes });
    closePanels();
    toast(r.ok ? `Edited: the new proposal was decided ${r.body.next.outcome}${r.body.next.reasons.length ? ` (${r.body.next.reasons.map((x) => x.rule || x.kind).join(', ')})` : ''}.` : said(r));
    refresh();
  }

  async function extend() {
    const li = focused();
    if (!li) return;
    const r = await post(`/v1/reviews/${li.dataset.id}/extend`, { proposalHash: li.dataset.hash, by: '1h' });
    toast(said(r, 'One more hour.'));
    refresh();
  }

  // ---- panels ----
  function confirm(question, yes) {
    const box = $('[data-role=confirm]');
    box.textContent = `${question} Enter: yes · Esc: no`;
    box.hidden = false;
    state.mode = 'confirm';
    state.onYes = yes;
  }
  function closePanels() {
    for (const el of $$('[data-role=reason-picker], [data-role=edit-form], [data-role=confirm], [data-role=help]')) el.hidden = true;
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    state.mode = 'list';
  }
  function toast(text) {
    const t = $('[data-role=toast]');
    t.textContent = text;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.textContent = ''; }, 6000);
  }

  function ticks() {
    const now = Date.now();
    for (const t of $$('time.left')) {
      const ms = Date.parse(t.dataset.expires) - now;
      const m = Math.round(Math.abs(ms) / 60000);
      const span = m >= 90 ? `${Math.floor(m / 60)} h ${m % 60} min` : m >= 1 ? `${m} min` : `${Math.round(Math.abs(ms) / 1000)} s`;
      t.textContent = ms > 0 ? `${span} left` : t.dataset.onExpiry === 'reject' ? 'expired: rejected at the next sweep' : `overdue by ${span}`;
      t.classList.toggle('soon', ms < 5 * 60000);
    }
  }

  // ---- keys ----
  const typing = (el) => el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT');
  const shortcutsOn = () => sessionStorage.getItem(SHORTCUTS) !== 'off';

  function onKey(e) {
    if ($('[data-role=main]').hidden || e.altKey || e.metaKey) return;
    const k = e.key;
    if (state.mode === 'help') { if (k === 'Escape' || k === '?') { e.preventDefault(); closePanels(); } return; }
    if (state.mode === 'confirm') {
      if (k === 'Enter' || k === 'y') { e.preventDefault(); const yes = state.onYes; closePanels(); yes(); }
      if (k === 'Escape' || k === 'n') { e.preventDefault(); closePanels(); }
      return;
    }
    if (state.mode === 'edit') {
      if (k === 'Escape') { e.preventDefault(); closePanels(); }
      if (k === 'Enter' && e.ctrlKey) { e.preventDefault(); submitEdit(); }
      return;
    }
    if (state.mode === 'reason') {
      const text = $('[data-role=reason-text]');
      if (k === 'Escape') { e.preventDefault(); closePanels(); return; }
      if (k === 'Enter' && document.activeElement === text && text.value.trim()) { e.preventDefault(); rejectWith({ text: text.value }); return; }
      if (/^[1-9]$/.test(k) && document.activeElement !== text) {
        e.preventDefault();
        const preset = $$('[data-do=preset]')[Number(k) - 1];
        if (preset) rejectWith({ code: preset.dataset.code });
        return;
      }
      if (k.length === 1 && document.activeElement !== text) text.focus();
      return;
    }
    if (typing(e.target)) {
      if (e.target.dataset.role === 'filter' && (k === 'Enter' || k === 'Escape')) { e.preventDefault(); applyFilter(e.target.value); e.target.blur(); }
      return;
    }
    if (e.ctrlKey) return;
    if (k === 'Escape') { state.selected.clear(); closePanels(); paint(); return; }
    if (!shortcutsOn()) return;
    const actions = {
      j: () => move(1), k: () => move(-1), J: () => move(1, true), K: () => move(-1, true), Enter: open,
      a: approve, r: reject, e: edit, t: extend, u: undo, G: () => jump(true),
      x: () => { const id = state.focusId; if (id) { if (state.selected.has(id)) state.selected.delete(id); else state.selected.add(id); paint(); } },
      '/': () => $('[data-role=filter]').focus(),
      '?': () => { $('[data-role=help]').hidden = false; state.mode = 'help'; },
      g: () => { if (Date.now() - state.lastG < 800) { jump(false); state.lastG = 0; } else state.lastG = Date.now(); },
    };
    const run = actions[k];
    if (run) { e.preventDefault(); run(); }
  }

  function applyFilter(value) {
    state.query = value.trim();
    state.words = state.query.split(/\s+/).filter((t) => t && !t.includes(':')).map((t) => t.toLowerCase());
    state.shown = '';
    refresh();
  }

  function onClick(e) {
    const b = e.target.closest('[data-do], [data-tab], .item');
    if (!b) return;
    if (b.classList.contains('item')) { state.focusId = b.dataset.id; paint(); open(); return; }
    if (b.dataset.tab) {
      state.tab = b.dataset.tab;
      for (const t of $$('[data-tab]')) t.setAttribute('aria-pressed', String(t === b));
      state.selected.clear();
      state.shown = '';
      refresh();
      return;
    }
    const todo = {
      approve, reject, edit, extend, cancel: closePanels, signout: () => signOut(''),
      help: () => { $('[data-role=help]').hidden = false; state.mode = 'help'; },
      preset: () => rejectWith({ code: b.dataset.code }),
      'reason-text': () => { const t = $('[data-role=reason-text]').value; if (t.trim()) rejectWith({ text: t }); },
    }[b.dataset.do];
    if (todo) { e.preventDefault(); todo(); }
  }

  // ---- sign-in ----
  function signOut(why) {
    sessionStorage.removeItem(KEY);
    $('[data-role=main]').hidden = true;
    $('[data-role=signin]').hidden = false;
    $('[data-role=signin-error]').textContent = why;
    $('[data-role=key]').focus();
  }
  async function start() {
    $('[data-role=signin]').hidden = true;
    $('[data-role=main]').hidden = false;
    await refresh(50);
    if (!state.focusId) jump(false);
    refresh();
  }

  document.addEventListener('keydown', onKey);
  document.addEventListener('click', onClick);
  $('[data-role=detail]').addEventListener('submit', (e) => { e.preventDefault(); submitEdit(); });
  $('[data-role=signin-form]').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $('[data-role=key]').value.trim());
    $('[data-role=key]').value = '';
    start();
  });
  const toggle = $('[data-role=shortcuts]');
  toggle.checked = shortcutsOn();
  toggle.addEventListener('change', () => sessionStorage.setItem(SHORTCUTS, toggle.checked ? 'on' : 'off'));
  setInterval(() => { if (state.mode === 'list' && !state.held.length && !document.hidden && !$('[data-role=main]').hidden) refresh(); }, 3000);
  setInterval(clock, 1000);
  if (sessionStorage.getItem(KEY)) start(); else signOut('');
})();
