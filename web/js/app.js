// app.js - the shell: language switch, who is logged in, the pages each role
// may open, logout. The session lives in an HttpOnly cookie; the CSRF token
// and everything read from the API live in memory only, so a reload asks for
// the login again (docs/ui.md).
import { h, toast } from './dom.js';
import { api, setCsrf, setAuthLost } from './api.js';
import { t, getLang, setLang } from './i18n.js';
import { loginView } from './login.js';
import { reviewView } from './review.js';
import { submitView, facilityView } from './clerk.js';
import { lookupView, noteView } from './lookup.js';
import { dashboardView } from './dashboard.js';
import { adminView } from './admin.js';
import { uploadView } from './upload.js';

const app = { session: null, view: null, views: {}, current: null };
const $ = (id) => document.getElementById(id);


function pagesFor(role) {
  switch (role) {
  case 'clerk': return ['submit', 'facility', 'upload'];
  case 'commune': return ['review', 'lookup', 'dashboard'];
  case 'district': case 'province': case 'ministry': return ['review', 'lookup', 'dashboard'];
  default: return ['admin'];
  }
}

const NAV = { review: 'navReview', lookup: 'navLookup', submit: 'navSubmit', facility: 'navFacility', upload: 'navUpload',
  dashboard: 'navDashboard', admin: 'navAdmin' };

function makeView(name) {
  const s = app.session;
  switch (name) {
  case 'review': return reviewView(s);
  case 'lookup': return lookupView(s);
  case 'submit': return submitView(s);
  case 'facility': return facilityView(s);
  case 'upload': return uploadView(s);
  case 'dashboard': return dashboardView(s);
  default: return adminView(s);
  }
}

function open(name) {
  if (app.view && app.view.leave) app.view.leave();
  app.current = name;
  app.view = app.views[name] || (app.views[name] = makeView(name));
  drawChrome();
  app.view.draw($('main'));
  if (app.view.enter) app.view.enter();
}

function drawChrome() {
  document.title = t('app');
  $('lang').textContent = t('switchLang');
  $('lang').setAttribute('aria-label', t('switchLangLabel'));
  $('lang').setAttribute('lang', getLang() === 'vi' ? 'en' : 'vi');
  const s = app.session;
  $('logout').hidden = !s;
  $('logout').textContent = t('logout');
  $('who').textContent = s ? `${s.name} · ${t('roles.' + s.role) || s.role}${s.area ? ' · ' + s.area : ''}` : '';
  const nav = $('nav');
  nav.setAttribute('aria-label', t('app'));
  nav.replaceChildren(...(s ? pagesFor(s.role) : []).map((p) =>
    h('button', { type: 'button', class: 'tab', 'aria-current': p === app.current ? 'page' : null,
      onclick: () => open(p), text: t(NAV[p]) })));
}

function showLogin(message) {
  if (app.view && app.view.leave) app.view.leave();
  app.session = null; app.views = {}; app.view = null; app.current = null;
  setCsrf(null);
  drawChrome();
  app.view = loginView(onLogin, message);
  app.view.draw($('main'));
}

function onLogin(session) {
  app.session = session;
  setCsrf(session.csrf);
  toast('');
  open(pagesFor(session.role)[0]);
}

async function logout() {
  try { await api('DELETE', 'session'); } catch (e) { /* the session may be gone already */ }
  showLogin(t('loggedOut'));
}

function start() {
  setLang(getLang());
  $('lang').addEventListener('click', () => {
    setLang(getLang() === 'vi' ? 'en' : 'vi');
    drawChrome();
    if (app.view) app.view.draw($('main'), true);
  });
  $('logout').addEventListener('click', logout);
  setAuthLost(() => showLogin(t('sessionLost')));
  showLogin();
}

start();
