// app.js - the shell: language switch, who is logged in, the pages each role
// may open, logout. The session lives in an HttpOnly cookie; on load the page
// asks the service for it (GET /api/v1/session: the user and the session's
// CSRF token, same origin only), so a reload resumes without the login form
// while the cookie lives (docs/ui.md). The CSRF token and everything read from
// the API live in memory only. The page open and its state (the dashboard's
// area and dates, the review queue's and the worklist's filters and page) are
// kept in the URL's hash (urlstate.js), so a reload, the back button and a
// shared link come back to them.
import { h, toast } from './dom.js';
import { api, setCsrf, setAuthLost } from './api.js';
import { t, getLang, setLang, langChosen } from './i18n.js';
import { route, remember } from './urlstate.js';
import { loginView } from './login.js';
import { reviewView } from './review.js';
import { submitView, facilityView } from './clerk.js';
import { lookupView, noteView } from './lookup.js';
import { dashboardView, dashboardParams } from './dashboard.js';
import { adminView } from './admin.js';
import { uploadView } from './upload.js';

// boxes: each page draws into a box of its own, and only the open page's
// box is in <main>, so an answer that comes after the user went to another
// page draws into a box off screen, never over that page.
const app = { session: null, view: null, views: {}, boxes: {}, current: null };
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

function makeView(name, query) {
  const s = app.session;
  switch (name) {
  case 'review': return reviewView(s, query);
  case 'lookup': return lookupView(s);
  case 'submit': return submitView(s);
  case 'facility': return facilityView(s, query);
  case 'upload': return uploadView(s);
  case 'dashboard': return dashboardView(s, dashboardParams(query));
  default: return adminView(s);
  }
}

// Opens a page; how: 'push' (a new history entry), 'replace', or 'none'
// (the URL already says it: the back button). query: the page's state from
// the URL, for a page opened from it.
function open(name, how, query) {
  if (app.view && app.view.leave) app.view.leave();
  app.current = name;
  const fresh = !app.views[name];
  app.view = app.views[name] || (app.views[name] = makeView(name, query));
  if (!fresh && query !== undefined && app.view.fromUrl) app.view.fromUrl(query);
  if (how !== 'none') remember(name, app.view.url ? app.view.url() : '', how);
  drawChrome();
  const box = app.boxes[name] || (app.boxes[name] = h('div', { class: 'page' }));
  $('main').replaceChildren(box);
  app.view.draw(box);
  if (app.view.enter) app.view.enter();
}

// The back or forward button (or a hash typed in): the page and its state.
function onPopState() {
  if (!app.session) return;
  const r = route();
  const pages = pagesFor(app.session.role);
  if (!pages.includes(r.page)) return;
  if (r.page !== app.current) open(r.page, 'none', r.query);
  else if (app.view.fromUrl) app.view.fromUrl(r.query);
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
      onclick: () => open(p, 'push'), text: t(NAV[p]) })));
}

function showLogin(message) {
  if (app.view && app.view.leave) app.view.leave();
  app.session = null; app.views = {}; app.boxes = {}; app.view = null; app.current = null;
  setCsrf(null);
  drawChrome();
  app.view = loginView(onLogin, message);
  app.view.draw($('main'));
}

function onLogin(session) {
  app.session = session;
  // the language the browser asks for, unless one was chosen on this computer
  if (!langChosen() && session.language && session.language !== getLang()) setLang(session.language, false);
  setCsrf(session.csrf);
  toast('');
  // the page of the URL (a reload or a link), when the role has it
  const r = route(), pages = pagesFor(session.role);
  if (pages.includes(r.page)) open(r.page, 'replace', r.query);
  else open(pages[0], 'replace');
}

async function logout() {
  try { await api('DELETE', 'session'); } catch (e) { /* the session may be gone already */ }
  history.replaceState(null, '', location.pathname); // the next user starts on its own first page
  showLogin(t('loggedOut'));
}

function start() {
  setLang(getLang(), false);
  $('lang').addEventListener('click', () => {
    setLang(getLang() === 'vi' ? 'en' : 'vi');
    drawChrome();
    if (app.view) app.view.draw(app.current ? app.boxes[app.current] : $('main'), true);
  });
  $('logout').addEventListener('click', logout);
  setAuthLost(() => showLogin(t('sessionLost')));
  window.addEventListener('popstate', onPopState);
  resume();
}

// A reload (or a new tab) while the session cookie lives: the service gives
// the user and the CSRF token again, and the page of the URL opens without
// the login form; otherwise (401, or the service out of reach) the login.
async function resume() {
  let s = null;
  try { s = await api('GET', 'session'); } catch (e) { s = null; }
  if (s && s.csrf) onLogin(s);
  else showLogin();
}

start();
