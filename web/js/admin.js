// admin.js - the administrator's page: users (GET/POST /api/v1/users), their
// changes (POST /api/v1/users/{name}: disable, enable, new password, role
// and area after a confirmation), API
// tokens (POST /api/v1/users/{name}/tokens, shown once; DELETE .../{id}) and
// the audit log with filters (GET /api/v1/audit). The administrator sees no
// personal data: users and ids only (docs/security.md).
import { h, field, option, toast } from './dom.js';
import { api, seg } from './api.js';
import { t, tl, errorText } from './i18n.js';

const ROLES = ['clerk', 'commune', 'district', 'province', 'ministry', 'admin'];
const FILTERS = ['actor', 'citizen', 'facility', 'record', 'action', 'from', 'to'];

export function adminView(session) {
  const st = { users: [], error: '', open: '', pending: null, newToken: null, form: { role: 'clerk' },
    audit: { items: [], next: null, offset: 0, error: '', filters: {} } };
  let main = null;

  async function loadUsers() {
    try { st.users = (await api('GET', 'users')).items; st.error = ''; } catch (e) { st.error = errorText(e); }
    draw(main);
  }
  async function loadAudit() {
    const a = st.audit;
    const q = new URLSearchParams();
    for (const k of FILTERS) if (a.filters[k]) q.set(k, a.filters[k]);
    q.set('limit', '50');
    if (a.offset) q.set('offset', String(a.offset));
    try { const r = await api('GET', 'audit?' + q.toString()); a.items = r.items; a.next = r.next_offset; a.error = ''; } catch (e) { a.items = []; a.next = null; a.error = errorText(e); }
    draw(main);
  }
  async function change(name, body, done) {
    try {
      await api('POST', `users/${seg(name)}`, body);
      toast(`${done}: ${name}`);
      st.open = '';
      await loadUsers();
    } catch (e) { toast(`${name}: ${errorText(e)}`, 'error'); draw(main); }
  }
  async function create(ev) {
    ev.preventDefault();
    const f = ev.target;
    const v = (id) => f.querySelector('#' + id).value.trim();
    const body = { name: v('nu-name'), role: v('nu-role'), area: v('nu-area'), password: f.querySelector('#nu-password').value };
    if (f.querySelector('#nu-lookup').checked) body.lookup = true;
    st.form = { name: body.name, role: body.role, area: body.area };
    try {
      await api('POST', 'users', body);
      toast(`${t('userCreated')}: ${body.name}`);
      st.form = { role: body.role };
      await loadUsers();
      const c = main.querySelector('#nu-name'); if (c) c.focus();
    } catch (e) { toast(errorText(e), 'error'); draw(main); }
  }
  async function issue(u, label) {
    try {
      const r = await api('POST', `users/${seg(u.name)}/tokens`, { label });
      st.newToken = r; st.open = '';
      await loadUsers();
      const b = main.querySelector('#new-token'); if (b) b.focus();
    } catch (e) { toast(`${u.name}: ${errorText(e)}`, 'error'); }
  }
  async function revoke(u, tok) {
    try {
      await api('DELETE', `users/${seg(u.name)}/tokens/${tok.id}`);
      toast(`${t('tokenRevoked')}: ${u.name} #${tok.id}`);
      if (st.newToken && st.newToken.id === tok.id) st.newToken = null;
      await loadUsers();
    } catch (e) { toast(`${u.name}: ${errorText(e)}`, 'error'); }
  }

  // Role and area: the form, then a confirmation that names the change and
  // what it does (every session and token of the user is revoked).
  function rolePanel(u) {
    const p = st.pending && st.pending.name === u.name ? st.pending : null;
    if (p) {
      return h('div', { class: 'panel inline', role: 'alertdialog', 'aria-labelledby': `ra-q-${u.name}` },
        h('p', { id: `ra-q-${u.name}`, text: t('roleConfirm', { name: u.name, role: tl('roles', p.role), area: p.area || '—' }) }),
        h('button', { id: `ra-yes-${u.name}`, type: 'button', class: 'primary', onclick: () => { st.pending = null; change(u.name, { role: p.role, area: p.area }, t('roleChanged')); }, text: t('confirmYes') }),
        h('button', { type: 'button', onclick: () => { st.pending = null; draw(main); focusId(`ra-role-${u.name}`); }, text: t('cancel') }));
    }
    return h('form', { class: 'panel inline', onsubmit: (e) => {
      e.preventDefault();
      const f = e.target;
      st.pending = { name: u.name, role: f.querySelector('select').value, area: f.querySelector('input').value.trim() };
      draw(main); focusId(`ra-yes-${u.name}`);
    } },
    field(t('userRole'), h('select', { id: `ra-role-${u.name}` }, ROLES.map((r) => option(r, tl('roles', r), r === u.role)))),
    field(t('userArea'), h('input', { id: `ra-area-${u.name}`, autocomplete: 'off', value: u.area || '', 'aria-describedby': 'nu-area-hint' })),
    h('button', { type: 'submit', class: 'primary', text: t('roleChange') }),
    h('button', { type: 'button', onclick: () => { st.open = ''; draw(main); }, text: t('cancel') }));
  }
  function focusId(id) { const f = main.querySelector('#' + CSS.escape(id)); if (f) f.focus(); }

  function panel(u) {
    if (st.open === 'ra:' + u.name) return rolePanel(u);
    if (st.open === 'pw:' + u.name) {
      return h('form', { class: 'panel inline', onsubmit: (e) => { e.preventDefault(); change(u.name, { password: e.target.querySelector('input').value }, t('passwordReset')); } },
        field(t('newPassword'), h('input', { id: `pw-${u.name}`, type: 'password', minlength: 8, required: true, autocomplete: 'new-password' })),
        h('button', { type: 'submit', class: 'primary', text: t('send') }),
        h('button', { type: 'button', onclick: () => { st.open = ''; draw(main); }, text: t('cancel') }));
    }
    if (st.open === 'tok:' + u.name) {
      return h('form', { class: 'panel inline', onsubmit: (e) => { e.preventDefault(); issue(u, e.target.querySelector('input').value.trim()); } },
        field(t('tokenLabel'), h('input', { id: `tl-${u.name}`, maxlength: 63, autocomplete: 'off' })),
        h('button', { type: 'submit', class: 'primary', text: t('tokenIssue') }),
        h('button', { type: 'button', onclick: () => { st.open = ''; draw(main); }, text: t('cancel') }));
    }
    return null;
  }
  function openPanel(key, focusId) {
    st.open = st.open === key ? '' : key; draw(main);
    const f = main.querySelector('#' + CSS.escape(focusId)); if (f) f.focus();
  }
  function userRow(u) {
    const self = u.name === session.name;
    const tokens = u.tokens.filter((x) => !x.revoked);
    return [h('tr', { 'data-user': u.name },
      h('th', { scope: 'row', text: u.name }),
      h('td', { text: tl('roles', u.role) }),
      h('td', { text: u.area || '—' }),
      h('td', {}, h('span', { class: 'badge ' + (u.disabled ? 'rejected' : 'review'), text: u.disabled ? t('userDisabled') : t('userActive') }),
        u.locked ? h('span', { class: 'badge conflict', text: ' ' + t('userLocked') }) : null,
        u.lookup ? h('span', { class: 'badge', text: ' ' + t('userLookup') }) : null),
      h('td', {}, tokens.length ? h('ul', { class: 'reasons' }, tokens.map((x) => h('li', {}, `#${x.id} ${x.label || ''} `,
        h('button', { type: 'button', class: 'danger', 'aria-label': `${t('tokenRevoke')} #${x.id} (${u.name})`, onclick: () => revoke(u, x), text: t('tokenRevoke') })))) : '—'),
      h('td', {}, h('div', { class: 'actions' },
        self ? null : h('button', { type: 'button', 'aria-label': `${u.disabled ? t('userEnable') : t('userDisable')}: ${u.name}`,
          onclick: () => change(u.name, { disabled: !u.disabled }, u.disabled ? t('userEnabled') : t('userDisabledDone')), text: u.disabled ? t('userEnable') : t('userDisable') }),
        u.locked ? h('button', { type: 'button', onclick: () => change(u.name, { unlock: true }, t('userUnlocked')), text: t('userUnlock') }) : null,
        self ? null : h('button', { type: 'button', 'aria-label': `${t('roleChange')}: ${u.name}`, 'aria-expanded': st.open === 'ra:' + u.name ? 'true' : 'false', onclick: () => { st.pending = null; openPanel('ra:' + u.name, `ra-role-${u.name}`); }, text: t('roleChange') }),
        h('button', { type: 'button', 'aria-label': `${t('passwordReset')}: ${u.name}`, 'aria-expanded': st.open === 'pw:' + u.name ? 'true' : 'false', onclick: () => openPanel('pw:' + u.name, `pw-${u.name}`), text: t('passwordReset') }),
        h('button', { type: 'button', 'aria-label': `${t('tokenIssue')}: ${u.name}`, 'aria-expanded': st.open === 'tok:' + u.name ? 'true' : 'false', onclick: () => openPanel('tok:' + u.name, `tl-${u.name}`), text: t('tokenIssue') })))),
    st.open.endsWith(':' + u.name) ? h('tr', {}, h('td', { colspan: 6 }, panel(u))) : null];
  }
  function createForm() {
    const f = st.form;
    return h('form', { class: 'grid card', id: 'new-user', onsubmit: create, 'aria-labelledby': 'nu-h' },
      h('h3', { id: 'nu-h', text: t('userCreate') }),
      field(t('name'), h('input', { id: 'nu-name', required: true, maxlength: 47, pattern: '[A-Za-z0-9._@\\-]+', autocomplete: 'off', value: f.name || '' })),
      field(t('userRole'), h('select', { id: 'nu-role' }, ROLES.map((r) => option(r, tl('roles', r), r === f.role)))),
      field(t('userArea'), h('input', { id: 'nu-area', autocomplete: 'off', value: f.area || '', 'aria-describedby': 'nu-area-hint' }), null),
      h('p', { class: 'hint', id: 'nu-area-hint', text: t('userAreaHint') }),
      field(t('password'), h('input', { id: 'nu-password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }), t('passwordHint')),
      h('div', { class: 'field' }, h('label', {}, h('input', { id: 'nu-lookup', type: 'checkbox' }), ' ', t('userLookupRight'))),
      h('div', {}, h('button', { type: 'submit', class: 'primary', text: t('userCreate') })));
  }
  function tokenBox() {
    const n = st.newToken;
    if (!n) return null;
    return h('div', { class: 'card', id: 'new-token', tabindex: '-1', role: 'region', 'aria-label': t('tokenNew') },
      h('h3', { text: `${t('tokenNew')}: ${n.user} #${n.id}` }),
      h('p', { class: 'note', text: t('tokenOnce') }),
      h('pre', { id: 'new-token-value', text: n.token }),
      h('button', { type: 'button', onclick: () => { st.newToken = null; draw(main); }, text: t('tokenHide') }));
  }
  function auditSection() {
    const a = st.audit;
    const input = (k) => h('input', { id: 'af-' + k, name: k, autocomplete: 'off', value: a.filters[k] || '',
      type: k === 'from' || k === 'to' ? 'date' : 'text', inputmode: k === 'citizen' ? 'numeric' : null });
    return h('section', { 'aria-labelledby': 'audit-h' },
      h('h2', { id: 'audit-h', text: t('auditTitle') }),
      h('p', { class: 'hint', text: t('auditNote') }),
      h('form', { class: 'inline card', id: 'audit-filters', onsubmit: (e) => {
        e.preventDefault();
        a.filters = {};
        for (const k of FILTERS) { const v = e.target.querySelector('#af-' + k).value.trim(); if (v) a.filters[k] = v; }
        a.offset = 0; loadAudit();
      } },
      FILTERS.map((k) => field(tl('auditFilters', k), input(k))),
      h('button', { type: 'submit', class: 'primary', text: t('auditApply') })),
      a.error ? h('p', { class: 'error', role: 'alert', text: a.error }) : null,
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', disabled: !a.offset, onclick: () => { a.offset = Math.max(0, a.offset - 50); loadAudit(); }, text: t('prevPage') }),
        h('button', { type: 'button', disabled: a.next === null, onclick: () => { a.offset = a.next; loadAudit(); }, text: t('nextPage') }),
        h('span', { class: 'muted', text: t('auditInfo', { from: a.offset + 1, n: a.items.length }) })),
      a.items.length ? h('table', { id: 'audit-table' },
        h('thead', {}, h('tr', {}, ['at', 'actor', 'role', 'action', 'subject', 'result', 'endpoint', 'detail'].map((c) => h('th', { scope: 'col', text: tl('auditCols', c) })))),
        h('tbody', {}, a.items.map((r) => h('tr', { 'data-seq': r.seq },
          ['at', 'actor', 'role', 'action', 'subject', 'result', 'endpoint', 'detail'].map((c) => h('td', { text: r[c] })))))) : h('p', { class: 'empty', text: t('auditEmpty') }));
  }
  function draw(m) {
    main = m;
    if (!main) return;
    main.replaceChildren(h('section', { class: 'admin' },
      h('h1', { text: t('adminTitle') }),
      st.error ? h('p', { class: 'error', role: 'alert', text: st.error }) : null,
      tokenBox(),
      h('table', { id: 'users' }, h('caption', { text: t('usersTitle') }),
        h('thead', {}, h('tr', {}, ['name', 'userRole', 'userArea', 'statusLabel', 'tokens', 'actionsLabel'].map((c) => h('th', { scope: 'col', text: t(c) })))),
        h('tbody', {}, st.users.map(userRow).flat())),
      createForm(),
      auditSection()));
  }
  return { draw, enter() { loadUsers(); loadAudit(); } };
}
