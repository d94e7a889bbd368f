// upload.js - the facility clerk's file upload: a CSV or .xlsx file sent as
// the raw body of POST /api/v1/uploads with its Content-Type, a progress bar
// (bytes sent, then bytes the job has read, polled from GET /api/v1/jobs/{id}),
// then the receipt counts and each row's result; and the history of the
// clerk's uploads (GET /api/v1/jobs). No citizen id is ever shown: the API
// sends none to a clerk.
import { h, field, toast } from './dom.js';
import { api, csrfToken } from './api.js';
import { t, tl, getLang, errorText } from './i18n.js';
import { reasonText } from './reasons.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const RECEIPT = ['rows', 'rejected', 'other_facility', 'new', 'same', 'corrected', 'linked', 'review', 'unlinked', 'posted', 'withdrawn'];

// The Content-Type the service takes, told by the file's name first (a
// Windows browser calls a .csv "application/vnd.ms-excel").
function typeOf(file) {
  const n = file.name.toLowerCase();
  if (n.endsWith('.csv')) return 'text/csv';
  if (n.endsWith('.xlsx')) return XLSX;
  if (n.endsWith('.xls')) return 'application/vnd.ms-excel';
  return file.type || 'application/octet-stream';
}

// Sends the file; onProgress(fraction) while it goes. Resolves to the 202 answer.
function send(file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/api/v1/uploads');
    x.setRequestHeader('Content-Type', typeOf(file));
    x.setRequestHeader('Accept', 'application/json');
    if (csrfToken()) x.setRequestHeader('X-CSRF-Token', csrfToken());
    x.upload.onprogress = (e) => { if (e.lengthComputable && e.total) onProgress(e.loaded / e.total); };
    x.onerror = () => reject({ code: 'NETWORK' });
    x.onload = () => {
      let data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      if (x.status === 202 && data) resolve(data);
      else reject({ status: x.status, code: (data && data.code) || 'HTTP_' + x.status });
    };
    x.send(file);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function uploadView() {
  const st = { phase: 'idle', fraction: 0, job: null, jobs: [], error: '', file: '', shown: 200 };
  let main = null;
  let shown = true; // the page is on screen: only then is #main drawn into
  const redraw = () => { if (shown && main) draw(main); };

  async function history() {
    try { st.jobs = (await api('GET', 'jobs')).items; } catch (e) { st.jobs = []; }
    redraw();
  }
  async function poll(id) {
    for (;;) {
      const j = await api('GET', `jobs/${id}`);
      st.job = j;
      st.fraction = j.total_bytes ? j.bytes / j.total_bytes : 0;
      redraw();
      if (j.state === 'done' || j.state === 'failed') return;
      await sleep(400);
    }
  }
  async function submit(ev) {
    ev.preventDefault();
    const input = main.querySelector('#up-file');
    const file = input.files && input.files[0];
    if (!file) { st.error = t('uploadPick'); draw(main); input.focus(); return; }
    st.file = file.name; st.error = ''; st.job = null; st.phase = 'sending'; st.fraction = 0; st.shown = 200;
    draw(main);
    try {
      const a = await send(file, (f) => { st.fraction = f; updateBar(); });
      st.phase = 'processing'; st.fraction = 0; redraw();
      await poll(a.job_id);
      st.phase = 'ended';
      toast(`${t('uploadEnded')}: ${st.file} — ${tl('jobStates', st.job.state)}`, st.job.state === 'done' ? 'ok' : 'error');
    } catch (e) {
      st.phase = 'idle'; st.error = errorText(e); toast(st.error, 'error');
    }
    redraw();
    const r = shown && main.querySelector('#up-result');
    if (r) r.focus();
    history();
  }
  // the bar alone while bytes are sent (no redraw of the form under the user's focus)
  function updateBar() {
    const bar = shown && main && main.querySelector('#up-progress');
    if (bar) { bar.value = Math.round(st.fraction * 100); bar.textContent = Math.round(st.fraction * 100) + '%'; }
  }
  function progress() {
    if (st.phase === 'idle') return null;
    const pct = st.phase === 'ended' ? 100 : Math.round(st.fraction * 100);
    const label = st.phase === 'sending' ? t('uploadSending') : st.phase === 'processing' ? t('uploadProcessing') : t('uploadEnded');
    return h('div', { class: 'field' },
      h('label', { for: 'up-progress', id: 'up-phase', text: `${label} (${st.file})` }),
      h('progress', { id: 'up-progress', max: 100, value: pct, text: pct + '%' }),
      h('span', { class: 'muted', id: 'up-pct', 'aria-live': 'polite', text: pct + '%' }));
  }
  function receipt(j) {
    return h('table', { id: 'up-receipt' }, h('caption', { text: t('receipt') }),
      h('tbody', {}, RECEIPT.map((k) => h('tr', {}, h('th', { scope: 'row', text: tl('receiptKeys', k) }), h('td', { class: 'num', 'data-key': k, text: String(j.receipt[k]) })))));
  }
  function reasons(codes) {
    return codes.length ? h('ul', { class: 'reasons' }, codes.map((c) => h('li', {}, reasonText(c, getLang()), ' ', h('code', { text: c })))) : '—';
  }
  function rows(j) {
    if (!j.records) return null;
    const shown = j.records.slice(0, st.shown);
    return h('div', {},
      h('table', { id: 'up-rows' }, h('caption', { text: t('uploadRows', { n: j.records_total }) }),
        h('thead', {}, h('tr', {}, [t('fields.record_id'), t('uploadLine'), t('uploadResult'), t('record'), t('decision'), t('reasons')].map((c) => h('th', { scope: 'col', text: c })))),
        h('tbody', {}, shown.map((r) => h('tr', { 'data-result': r.result },
          h('td', { text: r.record_id || '—' }),
          h('td', { class: 'num', text: r.line ? String(r.line) : '' }),
          h('td', {}, h('span', { class: 'badge ' + (r.result === 'rejected' ? 'rejected' : ''), text: tl('uploadResults', r.result) })),
          h('td', { text: r.put ? tl('put', r.put) : '' }),
          h('td', { text: r.decision ? tl('jobDecision', r.decision) : '' }),
          h('td', {}, reasons(r.reasons)))))),
      j.records.length > st.shown ? h('button', { type: 'button', onclick: () => { st.shown += 200; draw(main); }, text: t('showMore') }) : null,
      j.records_total > j.records.length ? h('p', { class: 'muted', text: t('uploadRowsCapped', { n: j.records.length }) }) : null);
  }
  function result() {
    const j = st.job;
    if (!j || st.phase !== 'ended') return null;
    return h('section', { class: 'card', id: 'up-result', tabindex: '-1', 'aria-labelledby': 'up-result-h' },
      h('h2', { id: 'up-result-h', text: `${t('uploadJob')} ${j.id}: ${tl('jobStates', j.state)}` }),
      j.error ? h('p', { class: 'error', role: 'alert' }, reasonText(j.error, getLang()) || j.error, ' ', h('code', { text: j.error })) : null,
      receipt(j), rows(j));
  }
  function historyTable() {
    return h('section', { 'aria-labelledby': 'up-hist-h' }, h('h2', { id: 'up-hist-h', text: t('uploadHistory') }),
      st.jobs.length ? h('table', { id: 'up-history' },
        h('thead', {}, h('tr', {}, [t('uploadJob'), t('statusLabel'), t('uploadSize'), 'rows', 'new', 'same', 'corrected', 'rejected'].map((c, i) =>
          h('th', { scope: 'col', text: i > 2 ? tl('receiptKeys', c) : c })))),
        h('tbody', {}, st.jobs.map((j) => h('tr', {},
          h('td', { text: String(j.id) }), h('td', { text: tl('jobStates', j.state) + (j.error ? ` (${j.error})` : '') }),
          h('td', { class: 'num', text: String(j.total_bytes) }),
          ['rows', 'new', 'same', 'corrected', 'rejected'].map((k) => h('td', { class: 'num', text: String(j.receipt[k]) })))))) : h('p', { class: 'empty', text: t('uploadNone') }));
  }
  function draw(m) {
    main = m;
    const busy = st.phase === 'sending' || st.phase === 'processing';
    main.replaceChildren(h('section', { class: 'upload' },
      h('h1', { text: t('uploadTitle') }),
      h('form', { class: 'card', onsubmit: submit },
        field(t('uploadFile'), h('input', { id: 'up-file', type: 'file', accept: '.csv,.xlsx,text/csv,' + XLSX, 'aria-describedby': 'up-hint' })),
        h('p', { class: 'hint', id: 'up-hint', text: t('uploadHint') }),
        h('p', { class: 'error', role: 'alert', text: st.error }),
        h('button', { type: 'submit', class: 'primary', id: 'up-send', disabled: busy, text: t('uploadSend') }),
        progress()),
      result(), historyTable()));
  }
  return {
    draw,
    enter() { shown = true; history(); const f = main && main.querySelector('#up-file'); if (f && st.phase === 'idle') f.focus(); },
    leave() { shown = false; },
  };
}
