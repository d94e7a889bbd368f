// lookup.js - a citizen of the caller's area by CCCD (GET /api/v1/citizens/
// {cccd}: commune officers, managers with the lookup right), and the pages
// that only say what is not there yet.
import { h, field } from './dom.js';
import { api, seg } from './api.js';
import { t, errorText, fmtDatesIn } from './i18n.js';

export function lookupView() {
  const st = { id: '', result: null, error: '' };
  let main = null;
  async function submit(ev) {
    ev.preventDefault();
    st.id = main.querySelector('#lk-id').value.trim();
    st.error = ''; st.result = null;
    try { st.result = await api('GET', `citizens/${seg(st.id)}`); } catch (e) { st.error = errorText(e); }
    draw(main);
  }
  function draw(m) {
    main = m;
    main.replaceChildren(h('section', { class: 'lookup' },
      h('h1', { text: t('lookupTitle') }),
      h('form', { class: 'inline card', onsubmit: submit },
        field(t('citizenId'), h('input', { id: 'lk-id', inputmode: 'numeric', pattern: '[0-9]{12}', maxlength: 12, required: true, autocomplete: 'off', value: st.id })),
        h('button', { type: 'submit', class: 'primary', text: t('lookup') })),
      st.error ? h('p', { class: 'error', role: 'alert', text: st.error }) : null,
      st.result ? h('div', { class: 'card', id: 'lk-result' },
        h('p', {}, `${t('commune')}: ${st.result.commune_code}`),
        h('h2', { text: t('history') }), h('pre', { text: fmtDatesIn(st.result.history) })) : null));
  }
  return { draw };
}

export function noteView(titleKey, noteKey) {
  return { draw(main) { main.replaceChildren(h('section', {}, h('h1', { text: t(titleKey) }), h('p', { class: 'note', text: t(noteKey) }))); } };
}
