// lookup.js - a citizen of the caller's area by CCCD (GET /api/v1/citizens/
// {cccd}: commune officers, managers with the lookup right) or by name and
// date of birth (GET /api/v1/citizens?name=&dob=: the linker's candidates in
// the area, best first), and the pages that only say what is not there yet.
import { h, field, option, drafts, keepFocus } from './dom.js';
import { api, seg } from './api.js';
import { t, errorText, fmtDate, fmtDatesIn } from './i18n.js';

export function lookupView() {
  const st = { id: '', result: null, error: '', name: '', dob: '', sex: '', hits: null, searchError: '' };
  let main = null;
  const draft = drafts(); // what is typed while a lookup or a search loads stays on the redraw
  // An answer's redraw: the keyboard goes to the answer (the history, the hits or the error),
  // unless the user has moved on to another control while it loaded (a CCCD typed during a
  // search); then it stays there. Before, a search or a refused lookup left it on the page.
  function answered(origin, answerSel) {
    const el = document.activeElement;
    const movedOn = el && el !== origin && el.id && main.contains(el);
    keepFocus(main, () => draw(main));
    if (movedOn) return;
    const r = main.querySelector(answerSel);
    if (r) r.focus();
  }
  async function show(id) {
    const origin = document.activeElement;
    draft.forget('lk-id');
    st.id = id;
    st.error = ''; st.result = null;
    try { st.result = await api('GET', `citizens/${seg(st.id)}`); } catch (e) { st.error = errorText(e); }
    answered(origin, '#lk-result, #lk-error');
  }
  async function submit(ev) {
    ev.preventDefault();
    await show(main.querySelector('#lk-id').value.trim());
  }
  // by name and date of birth (GET /api/v1/citizens?name=&dob=): the linker's candidates of the area
  async function search(ev) {
    ev.preventDefault();
    const origin = document.activeElement;
    st.name = main.querySelector('#lk-name').value.trim();
    st.dob = main.querySelector('#lk-dob').value.trim();
    st.sex = main.querySelector('#lk-sex').value;
    draft.forget('lk-name', 'lk-dob', 'lk-sex');
    st.searchError = ''; st.hits = null;
    const q = new URLSearchParams({ name: st.name, dob: st.dob });
    if (st.sex) q.set('sex', st.sex);
    try { st.hits = (await api('GET', `citizens?${q}`)).citizens; } catch (e) { st.searchError = errorText(e); }
    answered(origin, '#lk-hits, #lk-search-error');
  }
  function hitsTable() {
    if (!st.hits) return null;
    if (!st.hits.length) return h('p', { class: 'note', id: 'lk-hits', tabindex: '-1', text: t('searchNone') });
    return h('table', { class: 'hits card', id: 'lk-hits', tabindex: '-1' },
      h('caption', { text: t('searchFound', { n: st.hits.length }) }),
      h('thead', {}, h('tr', {}, ...['fields.full_name', 'fields.dob', 'fields.sex', 'commune', 'citizenId', 'searchMatch', 'history']
        .map((k) => h('th', { scope: 'col', text: (t(k) || k).replace(/ \(.*\)$/, '') })))),
      h('tbody', {}, ...st.hits.map((c) => h('tr', {},
        h('td', { text: c.full_name }), h('td', { text: fmtDate(c.dob) }),
        h('td', { text: c.sex === 'M' ? t('sexM') : c.sex === 'F' ? t('sexF') : t('sexUnknown') }),
        h('td', { text: c.commune_code }), h('td', { class: 'mono', text: c.citizen_id }),
        h('td', { text: `${Math.round(c.probability * 1000) / 10} %` }),
        h('td', {}, h('button', { type: 'button', class: 'lk-show', onclick: () => show(c.citizen_id), text: t('lookup') }))))));
  }
  function draw(m) {
    main = m;
    const sex = draft.value('lk-sex', st.sex);
    main.replaceChildren(h('section', { class: 'lookup' },
      h('h1', { text: t('lookupTitle') }),
      h('form', { class: 'inline card', oninput: draft.note, onsubmit: submit },
        field(t('citizenId'), h('input', { id: 'lk-id', inputmode: 'numeric', pattern: '[0-9]{12}', maxlength: 12, required: true, autocomplete: 'off', value: draft.value('lk-id', st.id) })),
        h('button', { type: 'submit', class: 'primary', text: t('lookup') })),
      h('h2', { id: 'lk-search-title', text: t('searchTitle') }),
      h('form', { class: 'inline card', id: 'lk-search', oninput: draft.note, onchange: draft.note, onsubmit: search, 'aria-labelledby': 'lk-search-title' },
        field(t('fields.full_name'), h('input', { id: 'lk-name', maxlength: 128, required: true, autocomplete: 'off', value: draft.value('lk-name', st.name) })),
        field(t('fields.dob'), h('input', { id: 'lk-dob', maxlength: 32, required: true, autocomplete: 'off', value: draft.value('lk-dob', st.dob) }), t('searchDobHint')),
        field(t('fields.sex'), h('select', { id: 'lk-sex' }, option('', t('sexUnknown'), !sex), option('M', t('sexM'), sex === 'M'), option('F', t('sexF'), sex === 'F'))),
        h('button', { type: 'submit', class: 'primary', text: t('search') })),
      st.searchError ? h('p', { class: 'error', id: 'lk-search-error', tabindex: '-1', role: 'alert', text: st.searchError }) : null,
      hitsTable(),
      st.error ? h('p', { class: 'error', id: 'lk-error', tabindex: '-1', role: 'alert', text: st.error }) : null,
      st.result ? h('div', { class: 'card', id: 'lk-result', tabindex: '-1' },
        h('p', {}, `${t('citizenId')}: ${st.result.citizen_id} · ${t('commune')}: ${st.result.commune_code}`),
        h('h2', { text: t('history') }), h('pre', { text: fmtDatesIn(st.result.history) })) : null));
  }
  return { draw };
}

export function noteView(titleKey, noteKey) {
  return { draw(main) { main.replaceChildren(h('section', {}, h('h1', { text: t(titleKey) }), h('p', { class: 'note', text: t(noteKey) }))); } };
}
