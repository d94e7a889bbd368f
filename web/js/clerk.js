// clerk.js - the facility clerk's pages: submit one record (POST
// /api/v1/records) and the facility's worklist with correct and withdraw
// (POST /api/v1/review/{facility}/{record}). A clerk never sees a registry
// citizen id: the API sends none. The worklist's filters and page are kept
// in the URL's hash (urlstate.js), so a reload and Back come back to them.
import { h, field, option, toast, drafts, keepFocus } from './dom.js';
import { api, seg } from './api.js';
import { t, tl, getLang, errorText, itemSuggestion, itemEvidence } from './i18n.js';
import { reasonText } from './reasons.js';
import { remember, isoDate, pagerNew, pagerNext, pagerPrev, pagerText, pagerOf } from './urlstate.js';

const FIELDS = ['record_id', 'full_name', 'dob', 'sex', 'id_number', 'phone', 'address', 'vaccine', 'lot', 'dose', 'shot_date'];
const FIX = FIELDS.slice(1);

function reasonsList(codes) {
  return h('ul', { class: 'reasons' }, codes.map((c) => h('li', {}, reasonText(c, getLang()), ' ', h('code', { text: c }))));
}

function outcomeBox(o) {
  return h('div', { class: 'outcome card', id: 'outcome', tabindex: '-1' },
    h('h2', { text: `${t('outcome')}: ${o.facility_code}/${o.record_id}` }),
    h('dl', {},
      h('dt', { text: t('record') }), h('dd', { text: tl('put', o.put) }),
      h('dt', { text: t('decision') }), h('dd', { id: 'outcome-decision', text: tl('linkDecision', o.decision) }),
      h('dt', { text: t('statusLabel') }), h('dd', { id: 'outcome-status', text: tl('status', o.status) })),
    o.reasons.length ? h('div', {}, h('h3', { text: t('reasons') }), reasonsList(o.reasons)) : null);
}

function sexSelect(id, value) {
  return h('select', { id }, option('', t('sexUnknown'), !value), option('M', t('sexM'), value === 'M'), option('F', t('sexF'), value === 'F'));
}

export function submitView(session) {
  const st = { values: {}, outcome: null, error: '', busy: false };
  let main = null;
  async function submit(ev) {
    ev.preventDefault();
    const body = { facility_code: session.area };
    for (const f of FIELDS) { const v = main.querySelector('#sub-' + f).value.trim(); st.values[f] = v; if (v) body[f] = v; }
    st.busy = true; st.error = '';
    try {
      st.outcome = await api('POST', 'records', body);
      toast(`${t('submitted')}: ${session.area}/${body.record_id || ''}`);
    } catch (e) {
      st.outcome = null; st.error = errorText(e); toast(st.error, 'error');
    }
    st.busy = false;
    draw(main);
    const o = main.querySelector('#outcome');
    if (o) o.focus();
  }
  function draw(m) {
    main = m;
    const input = (f) => f === 'sex' ? sexSelect('sub-sex', st.values.sex)
      : h('input', { id: 'sub-' + f, value: st.values[f] || '', autocomplete: 'off', required: f === 'record_id' });
    const hint = (f) => (f === 'dob' || f === 'shot_date' ? t('dateHint') : null);
    main.replaceChildren(h('section', { class: 'submit' },
      h('h1', { text: t('submitTitle') }),
      h('form', { class: 'grid card', onsubmit: submit },
        field(t('fields.facility_code'), h('input', { id: 'sub-facility', value: session.area, readonly: true })),
        FIELDS.map((f) => field(tl('fields', f), input(f), hint(f))),
        h('p', { class: 'error', role: 'alert', text: st.error }),
        h('div', {}, h('button', { type: 'submit', class: 'primary', disabled: st.busy, text: t('submit') }), ' ',
          h('button', { type: 'button', onclick: () => { st.values = {}; st.outcome = null; draw(main); main.querySelector('#sub-record_id').focus(); }, text: t('newRecord') }))),
      st.outcome ? outcomeBox(st.outcome) : null));
  }
  return { draw, enter() { const f = main && main.querySelector('#sub-record_id'); if (f) f.focus(); } };
}

const CATS = ['', 'unlinked', 'correction', 'review', 'conflict', 'rejected', 'withdrawn'];

// The worklist's state in the URL: #facility?category=..&reason=..&from=..&to=..&pages=..
// (a category, a reason code, shot dates and page cursors: nothing personal).
function facilityParams(query) {
  const q = new URLSearchParams(query || '');
  const cat = q.get('category') || '', reason = (q.get('reason') || '').toUpperCase();
  return {
    cat: CATS.includes(cat) ? cat : '', reason: /^[A-Z0-9_]{1,64}$/.test(reason) ? reason : '',
    from: isoDate(q.get('from')), to: isoDate(q.get('to')), pager: pagerOf(q.get('pages')),
  };
}

export function facilityView(session, query) {
  const st = { pager: pagerNew(), items: [], next: null, cat: '', reason: '', from: '', to: '', open: '', confirmWithdraw: '', error: '', loading: false };
  let main = null, active = false;
  const key = (it) => it.facility_code + '/' + it.record_id;
  const draft = drafts(); // filters chosen and not sent yet
  setParams(facilityParams(query));

  function setParams(p) { draft.clear(); st.cat = p.cat; st.reason = p.reason; st.from = p.from; st.to = p.to; st.pager = p.pager; }
  function urlQuery() {
    const q = new URLSearchParams();
    for (const [k, v] of [['category', st.cat], ['reason', st.reason], ['from', st.from], ['to', st.to]]) if (v) q.set(k, v);
    if (st.pager.page > 1) q.set('pages', pagerText(st.pager));
    return q.toString();
  }
  // each filter sent and each page is a new entry of the browser's history
  function keep() { if (active) remember('facility', urlQuery()); }

  let seq = 0; // only the last of several loads (a filter sent while the list loads) is drawn
  async function load() {
    const mine = ++seq;
    st.loading = true; draw(main);
    try {
      // the filters go to the API (category, reason, shot date), so every page is full
      const f = new URLSearchParams();
      for (const k of ['cat', 'reason', 'from', 'to']) if (st[k]) f.set(k === 'cat' ? 'category' : k, st[k]);
      const r = await api('GET', `worklist?facility=${seg(session.area)}&limit=50` + (st.pager.after !== null ? `&after=${st.pager.after}` : '') + (f.toString() ? '&' + f.toString() : ''));
      if (mine !== seq) return;
      st.items = r.items; st.next = r.next_after; st.error = '';
    } catch (e) { if (mine !== seq) return; st.items = []; st.next = null; st.error = errorText(e); }
    st.loading = false; draw(main);
  }
  async function act(it, action, extra) {
    try {
      const o = await api('POST', `review/${seg(it.facility_code)}/${seg(it.record_id)}`, { action, ...extra });
      toast(`${t('done.' + action)}: ${key(it)} — ${tl('linkDecision', o.decision)}, ${tl('status', o.status)}`);
      st.open = ''; st.confirmWithdraw = '';
      await load();
    } catch (e) { toast(`${key(it)}: ${errorText(e)}`, 'error'); }
  }
  function row(it) {
    const k = key(it);
    const fixForm = st.open === k ? h('form', { class: 'panel grid', onsubmit: (e) => {
      e.preventDefault();
      const fields = {};
      for (const f of FIX) { const v = e.target.querySelector('[name=' + f + ']').value.trim(); if (v) fields[f] = v; }
      if (!Object.keys(fields).length) { toast(t('nothingChanged'), 'error'); return; }
      act(it, 'correct', { fields });
    } },
    h('h3', { text: t('correctTitle') }),
    FIX.map((f) => field(tl('fields', f), f === 'sex' ? Object.assign(sexSelect(`fx-${it.rid}-sex`, ''), { name: f })
      : h('input', { id: `fx-${it.rid}-${f}`, name: f, autocomplete: 'off' }))),
    h('div', {}, h('button', { type: 'submit', class: 'primary', text: t('send') }), ' ',
      h('button', { type: 'button', onclick: () => { st.open = ''; draw(main); }, text: t('cancel') }))) : null;
    return h('li', { class: 'card', 'data-key': k },
      h('h2', {}, h('span', { class: 'badge ' + it.category, text: tl('cats', it.category) }), ' ', k),
      reasonsList(it.reasons),
      h('p', {}, h('strong', { text: t('suggestion') + ': ' }), itemSuggestion(it)),
      h('p', { class: 'muted', text: itemEvidence(it) }),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => { st.open = st.open === k ? '' : k; draw(main); const f = main.querySelector(`#fx-${it.rid}-full_name`); if (f) f.focus(); }, text: t('actCorrect') }),
        st.confirmWithdraw === k
          ? h('button', { type: 'button', class: 'danger', onclick: () => act(it, 'withdraw'), text: t('actWithdrawSure') })
          : h('button', { type: 'button', onclick: () => { st.confirmWithdraw = k; draw(main); }, text: t('actWithdraw') })),
      fixForm);
  }
  function draw(m) {
    main = m;
    keepFocus(main, drawPage);
  }
  function drawPage() {
    const items = st.items;
    main.replaceChildren(h('section', { class: 'facility' },
      h('h1', { text: t('facilityTitle') }),
      h('div', { class: 'toolbar' },
        h('form', { class: 'inline', id: 'fw-filters', 'aria-label': t('filters'), oninput: draft.note, onchange: draft.note, onsubmit: (e) => {
          e.preventDefault();
          const v = (id) => main.querySelector('#' + id).value.trim();
          st.cat = v('fw-cat'); st.reason = v('fw-reason').toUpperCase(); st.from = v('fw-from'); st.to = v('fw-to');
          draft.clear(); st.pager = pagerNew(); keep(); load();
        } },
        field(t('category'), h('select', { id: 'fw-cat' },
          CATS.map((c) => option(c, c ? tl('cats', c) : t('all'), c === draft.value('fw-cat', st.cat))))),
        field(t('reasonCode'), h('input', { id: 'fw-reason', value: draft.value('fw-reason', st.reason), autocomplete: 'off', placeholder: 'ID_MISSING', pattern: '[A-Za-z0-9_]*' })),
        field(t('shotFrom'), h('input', { id: 'fw-from', type: 'date', value: draft.value('fw-from', st.from) })),
        field(t('shotTo'), h('input', { id: 'fw-to', type: 'date', value: draft.value('fw-to', st.to) })),
        h('button', { type: 'submit', class: 'primary', id: 'fw-apply', text: t('applyFilters') })),
        h('button', { type: 'button', onclick: load, text: t('refresh') }),
        h('button', { type: 'button', id: 'fw-prev', disabled: !st.pager.back.length, onclick: () => { if (pagerPrev(st.pager)) { keep(); load(); } }, text: t('prevPage') }),
        h('button', { type: 'button', id: 'fw-next', disabled: st.next === null, onclick: () => { if (pagerNext(st.pager, st.next)) { keep(); load(); } }, text: t('nextPage') }),
        h('span', { class: 'muted', id: 'fw-count', text: t('pageInfo', { page: st.pager.page, n: items.length }) })),
      st.error ? h('p', { class: 'error', role: 'alert', text: st.error }) : null,
      items.length ? h('ul', { class: 'cards', id: 'fw-list' }, items.map(row))
        : h('p', { class: 'empty', text: st.loading ? t('loading') : t('empty') })));
  }
  return {
    draw,
    url: urlQuery,
    fromUrl(q) { if (q !== urlQuery()) { setParams(facilityParams(q)); load(); } },
    enter() { active = true; if (!st.items.length) load(); },
    leave() { active = false; },
  };
}
