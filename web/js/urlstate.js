// urlstate.js - a page's state in the URL's hash, "#page?key=value&...",
// shared by the pages that keep one (dashboard, review queue, clerk's
// worklist): a reload, the back and forward buttons and a link sent to a
// colleague find the same page in the same state. The hash never reaches
// the server; it holds codes, dates, page cursors and positions only, never
// anything personal (it stays in the browser's history).

// The page and its query of the current hash.
export function route() {
  const m = /^#([a-z]+)(?:\?(.*))?$/.exec(location.hash);
  return m ? { page: m[1], query: m[2] || '' } : { page: '', query: '' };
}

// "#page?query" (query: a string or URLSearchParams; empty: "#page").
export function hashOf(page, query) {
  const q = String(query || '');
  return '#' + page + (q ? '?' + q : '');
}

// Makes the URL say page?query: how 'push' adds an entry to the browser's
// history (the back button returns to the state before), 'replace' changes
// the current one (a move the back button should skip).
export function remember(page, query, how = 'push') {
  const url = hashOf(page, query);
  if (location.hash !== url) history[how === 'replace' ? 'replaceState' : 'pushState'](null, '', url);
}

// dd/mm/yyyy (or yyyy-mm-dd) as yyyy-mm-dd; '' when it is neither.
export function isoDate(text) {
  const v = (text || '').trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (m) return `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  m = /^\d{4}-\d{2}-\d{2}$/.exec(v);
  return m ? v : '';
}

// Paging by cursor (the worklist's `after`): a pager holds the cursor of the
// page shown (null: the first) and those of the pages before it, so Previous
// needs no request of its own. In the URL: "pages=A.B" for page 3, the
// cursors of pages 2 and 3 (numbers), at most MAX_PAGES of them.
const MAX_PAGES = 200;

export function pagerNew() { return { after: null, back: [], page: 1 }; }

export function pagerNext(p, next) {
  if (next === null || next === undefined) return false;
  p.back.push(p.after); p.after = next; p.page++;
  return true;
}

export function pagerPrev(p) {
  if (!p.back.length) return false;
  p.after = p.back.pop(); p.page--;
  return true;
}

export function pagerText(p) {
  return p.after === null ? '' : p.back.slice(1).concat(p.after).join('.');
}

export function pagerOf(text) {
  const c = (text || '').split('.').filter(Boolean);
  if (!c.length || c.length > MAX_PAGES || !c.every((x) => /^\d{1,18}$/.test(x))) return pagerNew();
  return { after: c[c.length - 1], back: [null, ...c.slice(0, -1)], page: c.length + 1 };
}

// A position in a list, 1-based in the URL ("item=3"), 0-based here.
export function indexOf(text) {
  const n = /^\d{1,4}$/.test(text || '') ? Number(text) : 0;
  return n > 0 ? n - 1 : 0;
}
