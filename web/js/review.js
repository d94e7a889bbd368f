// review.js - the commune officer's review queue (managers with the lookup
// right too, for a commune of their area): a page of the commune's worklist,
// the current item's record and candidate side by side field by field, and
// the decisions with one key each. After a decision the item leaves the
// list and the next one shows at once: its explanation was fetched while the
// officer looked at the one before. The commune, the category, the page and
// the item are kept in the URL's hash (urlstate.js): a reload, Back and a
// shared link come back to them.
import { h, field, option, toast } from './dom.js';
import { api, seg } from './api.js';
import { t, tl, getLang, errorText, fmtDate, itemSuggestion, itemEvidence } from './i18n.js';
import { reasonText } from './reasons.js';
import { parseExplanation, agreement } from './explain.js';
import { remember, pagerNew, pagerNext, pagerPrev, pagerText, pagerOf, indexOf } from './urlstate.js';

const PAGE = 50;
const EDITABLE = ['full_name', 'dob', 'sex', 'id_number', 'phone', 'address', 'vaccine', 'lot', 'dose', 'shot_date'];
const MARK = { agree: '✓', partial: '≈', disagree: '✗', none: '–' };

const CATS = ['', 'review', 'unlinked', 'conflict'];

// The queue's state in the URL: #review?commune=NNNNN&cat=..&pages=..&item=N
// (codes, page cursors and a position only). communes: the officer's own
// (another one in a link is not taken); none for a manager, who may name any
// commune code (the service says whether it is in the area).
function reviewParams(query, communes) {
  const q = new URLSearchParams(query || '');
  const c = q.get('commune') || '';
  const commune = (communes.length ? communes.includes(c) : /^\d{5}$/.test(c)) ? c : (communes[0] || '');
  const cat = CATS.includes(q.get('cat') || '') ? (q.get('cat') || '') : '';
  return { commune, cat, pager: !c || commune === c ? pagerOf(q.get('pages')) : pagerNew(), item: indexOf(q.get('item')) };
}

export function reviewView(session, query) {
  const communes = session.role === 'commune' ? session.area.split(',') : [];
  const st = {
    commune: '', pager: pagerNew(), items: [], next: null,
    cat: '', cur: 0, loading: false, error: '', panel: '', busy: false,
  };
  let want = null; // the item of the URL, once its page is loaded
  const cache = new Map(); // "F/R" -> Promise of the explanation (this page only)
  let main = null, onKey = null, active = false;
  setParams(reviewParams(query, communes));

  function setParams(p) {
    st.commune = p.commune; st.cat = p.cat; st.pager = p.pager; want = p.item;
  }
  function urlQuery() {
    const q = new URLSearchParams();
    if (st.commune) q.set('commune', st.commune);
    if (st.cat) q.set('cat', st.cat);
    if (st.pager.page > 1) q.set('pages', pagerText(st.pager));
    if (st.cur > 0) q.set('item', String(st.cur + 1));
    return q.toString();
  }
  // how: 'push' for a new commune, category or page (Back returns to it),
  // 'replace' for a move within the page
  function keep(how) { if (active) remember('review', urlQuery(), how); }

  const key = (it) => it.facility_code + '/' + it.record_id;
  const visible = () => st.items.filter((it) => !st.cat || it.category === st.cat);
  const current = () => visible()[st.cur];

  function explain(it) {
    if (!it) return null;
    const k = key(it);
    if (!cache.has(k)) {
      const p = api('GET', `explain/${seg(it.facility_code)}/${seg(it.record_id)}`).then((r) => parseAndKeep(r));
      p.catch(() => cache.delete(k));
      cache.set(k, p);
    }
    return cache.get(k);
  }
  function parseAndKeep(r) { return { text: r.explanation, parsed: parseExplanation(r.explanation) }; }

  let seq = 0; // only the last of several loads (another commune or page picked meanwhile) is drawn
  async function load() {
    if (!st.commune) return;
    const mine = ++seq;
    st.loading = true; st.error = ''; draw(main);
    try {
      const q = `worklist?commune=${seg(st.commune)}&limit=${PAGE}` + (st.pager.after !== null ? `&after=${st.pager.after}` : '');
      const r = await api('GET', q);
      if (mine !== seq) return;
      st.items = r.items; st.next = r.next_after; cache.clear();
      st.cur = want !== null ? Math.max(0, Math.min(want, visible().length - 1)) : 0;
    } catch (e) {
      if (mine !== seq) return;
      st.items = []; st.next = null; st.error = errorText(e); st.cur = 0;
    }
    want = null;
    st.loading = false;
    keep('replace');
    draw(main);
  }

  function move(d) {
    const n = visible().length;
    if (!n) return;
    st.cur = Math.max(0, Math.min(n - 1, st.cur + d));
    st.panel = '';
    keep('replace');
    draw(main);
  }

  async function decide(action, extra) {
    const it = current();
    if (!it || st.busy) return;
    st.busy = true;
    try {
      const out = await api('POST', `review/${seg(it.facility_code)}/${seg(it.record_id)}`, { action, ...extra });
      st.items = st.items.filter((x) => x !== it);
      cache.delete(key(it));
      st.panel = '';
      const n = visible().length;
      if (st.cur >= n) st.cur = Math.max(0, n - 1);
      toast(`${t('done.' + action)}: ${key(it)} — ${tl('linkDecision', out.decision)}, ${tl('status', out.status)}`);
      keep('replace');
      if (!st.items.length && st.next !== null) { nextPage(); return; }
    } catch (e) {
      toast(`${key(it)}: ${errorText(e)}`, 'error');
    } finally {
      st.busy = false;
    }
    draw(main);
    const d = main.querySelector('#rv-detail');
    if (d) d.focus({ preventScroll: true });
  }

  function nextPage() { if (pagerNext(st.pager, st.next)) { st.cur = 0; keep('push'); load(); } }
  function prevPage() { if (pagerPrev(st.pager)) { st.cur = 0; keep('push'); load(); } }
  // another commune (or a code typed by a manager): its first page
  function pickCommune(c) { st.commune = c; st.pager = pagerNew(); st.cur = 0; keep('push'); load(); }

  // a panel closed (Esc or Cancel): the keyboard goes back to the item, not
  // to the page's start, so the next key acts on it
  function closePanel() { st.panel = ''; draw(main); const d = main.querySelector('#rv-detail'); if (d) d.focus({ preventScroll: true }); }
  function openPanel(p) { st.panel = p; draw(main); const f = main.querySelector(p === 'choose' ? '#choose-id' : '#fix-full_name'); if (f) f.focus(); }

  function keydown(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = ev.target && ev.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      if (ev.key === 'Escape' && st.panel) closePanel();
      return;
    }
    const k = ev.key.toLowerCase();
    const acts = { c: () => decide('confirm'), r: () => decide('reject'), n: () => decide('not-registered'),
      o: () => openPanel('choose'), e: () => openPanel('correct'), j: () => move(1), k: () => move(-1),
      arrowdown: () => move(1), arrowup: () => move(-1) };
    if (acts[k]) { ev.preventDefault(); acts[k](); }
  }

  // ---- drawing ----

  function toolbar() {
    const pick = communes.length > 1
      ? field(t('commune'), h('select', { id: 'rv-commune', onchange: (e) => pickCommune(e.target.value) },
        communes.map((c) => option(c, c, c === st.commune))))
      : communes.length === 1 ? h('p', { class: 'muted', text: `${t('commune')}: ${st.commune}` })
        : h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); pickCommune(main.querySelector('#rv-code').value.trim()); } },
          field(t('communeCode'), h('input', { id: 'rv-code', inputmode: 'numeric', pattern: '[0-9]{5}', maxlength: 5, value: st.commune })),
          h('button', { type: 'submit', text: t('load') }));
    return h('div', { class: 'toolbar' }, pick,
      field(t('category'), h('select', { id: 'rv-cat', onchange: (e) => { st.cat = e.target.value; st.cur = 0; keep('push'); draw(main); } },
        CATS.map((c) => option(c, c ? tl('cats', c) : t('all'), c === st.cat)))),
      h('button', { type: 'button', onclick: load, text: t('refresh') }),
      h('button', { type: 'button', id: 'rv-prev', onclick: prevPage, disabled: !st.pager.back.length, text: t('prevPage') }),
      h('button', { type: 'button', id: 'rv-next', onclick: nextPage, disabled: st.next === null, text: t('nextPage') }),
      h('span', { class: 'muted', id: 'rv-count', text: t('pageInfo', { page: st.pager.page, n: visible().length }) }));
  }

  function queue() {
    const items = visible();
    if (!items.length) return h('p', { class: 'empty', text: st.loading ? t('loading') : st.error || t('empty') });
    return h('ol', { class: 'queue', id: 'rv-queue', 'aria-label': t('queueLabel') },
      items.map((it, i) => h('li', { class: i === st.cur ? 'cur' : null, 'aria-current': i === st.cur ? 'true' : null },
        h('button', { type: 'button', class: 'item', 'data-key': key(it),
          onclick: () => { st.cur = i; st.panel = ''; keep('replace'); draw(main); } },
        h('span', { class: 'badge ' + it.category, text: tl('cats', it.category) }), ' ',
        h('span', { class: 'key', text: key(it) }),
        h('span', { class: 'reasons-short', text: it.reasons.filter((r) => r.startsWith('LINK_') || r.startsWith('HIST_')).join(' ') })))));
  }

  function reasonsList(codes) {
    return h('ul', { class: 'reasons' }, codes.map((c) => h('li', {}, reasonText(c, getLang()), ' ', h('code', { text: c }))));
  }

  function compareTable(ex) {
    const c = ex.parsed.candidates[0];
    if (!c) return h('p', { class: 'muted', text: t('noCandidate') });
    const max = Math.max(1, ...c.rows.map((r) => Math.abs(r.weight)));
    const rows = c.rows.filter((r) => r.field !== 'prior').map((r) => {
      const a = agreement(r);
      const bar = h('span', { class: 'wfbar ' + (r.weight >= 0 ? 'pos' : 'neg') });
      bar.style.width = `${Math.round((Math.abs(r.weight) / max) * 100)}%`;
      return h('tr', { class: 'ag-' + a },
        h('th', { scope: 'row', text: tl('fields', r.field) }),
        h('td', { text: fmtDate(r.record) }), h('td', { text: fmtDate(r.candidate) }),
        h('td', {}, h('span', { class: 'mark', 'aria-hidden': 'true', text: MARK[a] }), ' ', tl('levels', r.level),
          h('span', { class: 'sr', text: ` (${t('agreement.' + a)})` })),
        h('td', { class: 'num' }, h('span', { class: 'wf' }, bar), (r.weight >= 0 ? '+' : '') + r.weight.toFixed(2)),
        h('td', { class: 'num', text: r.total.toFixed(2) }));
    });
    const second = ex.parsed.candidates[1];
    return h('div', {},
      h('table', { class: 'compare', id: 'rv-compare' },
        h('caption', { text: t('compare') }),
        h('thead', {}, h('tr', {}, [t('field'), t('record'), t('candidate'), t('level'), t('weight'), t('running')].map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, rows)),
      h('p', {}, `${t('total')}: ${c.total !== null ? c.total.toFixed(2) : '?'}`,
        second && second.total !== null ? ` · ${t('second')}: ${second.total.toFixed(2)}` : ''));
  }

  function rawTable(raw) {
    return h('table', { class: 'raw' }, h('caption', { text: t('recordAsSent') }),
      h('tbody', {}, Object.entries(raw).map(([k, v]) => h('tr', {}, h('th', { scope: 'row', text: tl('fields', k) }), h('td', { text: v })))));
  }

  function actions(it, ex) {
    const btn = (label, k, f) => h('button', { type: 'button', onclick: f, 'aria-keyshortcuts': k, disabled: st.busy },
      label, ' ', h('kbd', { text: k }));
    const bar = h('div', { class: 'actions', role: 'group', 'aria-label': t('decision') },
      btn(t('actConfirm'), 'C', () => decide('confirm')),
      btn(t('actChoose'), 'O', () => openPanel('choose')),
      btn(t('actReject'), 'R', () => decide('reject')),
      btn(t('actNotRegistered'), 'N', () => decide('not-registered')),
      btn(t('actCorrect'), 'E', () => openPanel('correct')));
    let panel = null;
    if (st.panel === 'choose') {
      panel = h('form', { class: 'panel', onsubmit: (e) => { e.preventDefault(); decide('choose', { citizen_id: main.querySelector('#choose-id').value.trim() }); } },
        field(t('citizenId'), h('input', { id: 'choose-id', inputmode: 'numeric', pattern: '[0-9]{12}', maxlength: 12, required: true, autocomplete: 'off' })),
        h('button', { type: 'submit', class: 'primary', text: t('send') }),
        h('button', { type: 'button', onclick: closePanel, text: t('cancel') }));
    } else if (st.panel === 'correct') {
      const raw = (ex && ex.parsed.raw) || {};
      panel = h('form', { class: 'panel grid', onsubmit: (e) => {
        e.preventDefault();
        const fields = {};
        for (const f of EDITABLE) { const v = main.querySelector('#fix-' + f).value; if (v !== (raw[f] || '')) fields[f] = v; }
        if (!Object.keys(fields).length) { toast(t('nothingChanged'), 'error'); return; }
        decide('correct', { fields });
      } },
      h('h3', { text: t('correctTitle') }),
      EDITABLE.map((f) => field(tl('fields', f), h('input', { id: 'fix-' + f, value: raw[f] || '', autocomplete: 'off' }))),
      h('div', {}, h('button', { type: 'submit', class: 'primary', text: t('send') }),
        h('button', { type: 'button', onclick: closePanel, text: t('cancel') })));
    }
    return h('div', {}, bar, panel, h('p', { class: 'muted keys', text: t('keys') }));
  }

  function detail() {
    const it = current();
    if (!it) return h('div', { class: 'detail' });
    const box = h('article', { class: 'detail', id: 'rv-detail', tabindex: '-1', 'aria-labelledby': 'rv-title' },
      h('h2', { id: 'rv-title' }, `${t('record')} ${key(it)} `, h('span', { class: 'badge ' + it.category, text: tl('cats', it.category) })),
      it.citizen_id ? h('p', {}, `${t('candidateCitizen')}: `, h('strong', { id: 'rv-citizen', text: it.citizen_id })) : null,
      h('h3', { text: t('reasons') }), reasonsList(it.reasons));
    const slot = h('div', { class: 'slot' }, h('p', { class: 'muted', text: t('loading') }));
    box.append(slot);
    box.append(h('details', {}, h('summary', { text: t('suggestion') }), h('p', { text: itemSuggestion(it) }),
      h('p', { class: 'muted', text: itemEvidence(it) })));
    const p = explain(it);
    const fill = (ex) => {
      if (current() !== it) return;
      slot.replaceChildren(compareTable(ex), rawTable(ex.parsed.raw), actions(it, ex),
        h('details', {}, h('summary', { text: t('fullExplanation') }), h('pre', { text: ex.text })));
      if (st.panel) { const f = slot.querySelector(st.panel === 'choose' ? '#choose-id' : '#fix-full_name'); if (f) f.focus(); }
    };
    p.then(fill, (e) => { if (current() === it) slot.replaceChildren(h('p', { class: 'error', text: errorText(e) }), actions(it, null)); });
    const nxt = visible()[st.cur + 1];
    if (nxt) explain(nxt).catch(() => {}); // the next item loads while this one is read
    return box;
  }

  function draw(m) {
    main = m;
    main.replaceChildren(h('section', { class: 'review' },
      h('h1', { text: t('navReview') }), toolbar(),
      st.error && st.items.length === 0 ? h('p', { class: 'error', role: 'alert', text: st.error }) : null,
      h('div', { class: 'split' }, queue(), detail())));
    const cur = main.querySelector('.queue li.cur');
    if (cur && cur.scrollIntoView) cur.scrollIntoView({ block: 'nearest' });
  }

  return {
    draw,
    url: urlQuery,
    // Back, Forward or a link: the same commune, category and page only
    // move to the item; anything else loads that page
    fromUrl(q) {
      const p = reviewParams(q, communes);
      if (p.commune === st.commune && p.cat === st.cat && pagerText(p.pager) === pagerText(st.pager) && !st.loading) {
        st.cur = Math.max(0, Math.min(p.item, visible().length - 1)); st.panel = ''; draw(main);
        return;
      }
      setParams(p); load();
    },
    enter() { active = true; onKey = keydown; document.addEventListener('keydown', onKey); if (!st.items.length && st.commune) load(); },
    leave() { active = false; if (onKey) document.removeEventListener('keydown', onKey); onKey = null; },
  };
}
