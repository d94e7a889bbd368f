// login.js - the login page: POST /api/v1/session gives the cookie and the
// CSRF token (docs/api.md).
import { h, field } from './dom.js';
import { api } from './api.js';
import { t, errorText } from './i18n.js';

export function loginView(onLogin, message) {
  const st = { name: '', message: message || '', error: '' };
  let root = null;
  async function submit(ev) {
    ev.preventDefault();
    const name = root.querySelector('#login-name').value.trim();
    const password = root.querySelector('#login-password').value;
    st.name = name; st.error = ''; st.message = t('loggingIn');
    draw(root.parentNode);
    try {
      const s = await api('POST', 'session', { name, password });
      onLogin(s);
    } catch (e) {
      st.message = ''; st.error = errorText(e);
      draw(root.parentNode);
      root.querySelector('#login-password').focus();
    }
  }
  function draw(main) {
    const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true, value: st.name });
    const pw = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    root = h('section', { class: 'login card' },
      h('h1', { text: t('loginTitle') }),
      h('form', { onsubmit: submit, novalidate: true },
        field(t('name'), name), field(t('password'), pw),
        h('p', { class: 'error', role: 'alert', id: 'login-error', text: st.error }),
        h('p', { class: 'muted', text: st.message }),
        h('button', { type: 'submit', class: 'primary', text: t('login') })));
    main.replaceChildren(root);
    (st.name ? pw : name).focus();
  }
  return { draw };
}
