// dashboard.js - the managers' dashboard (district, province, ministry):
// coverage by age group and by area, postings per day, the facilities with
// the worst data, and the review backlog, each as a chart drawn in plain SVG
// with its table beside it (the same numbers, for screen readers and for
// copying) and a link to the same figures as CSV from the API. Only
// aggregates: no name, id or date of birth reaches this page.
import { h, field, option, toast, drafts, keepFocus } from './dom.js';
import { api } from './api.js';
import { t, getLang, errorText, fmtDate } from './i18n.js';
import { isoDate, remember as rememberUrl } from './urlstate.js';

const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#1f6fb2', '#2e9d5b', '#c77c11', '#8a4fb5'];
const WORST = 10;

// An SVG element with attributes (presentation attributes only: the CSP
// forbids inline styles).
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of kids) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const num = (n) => Number(n || 0).toLocaleString(getLang() === 'vi' ? 'vi-VN' : 'en-GB');
const pct = (part, whole) => (whole ? (100 * part / whole) : 0);
const pctText = (p) => p.toLocaleString(getLang() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 }) + ' %';
// a share of no one is no share: "—", not "0 %" (a 2025 commune with nobody in the registry yet)
const pctOf = (part, whole) => (whole ? pctText(pct(part, whole)) : '—');

// Grouped vertical bars: groups [{label, values: [..]}], series names; max
// is the top of the scale (100 for shares). A title and a description name
// the chart for screen readers; the table beside it holds the numbers.
function barChart(id, title, groups, series, max, unit) {
  const W = 640, H = 240, L = 44, B = 48, T = 10;
  if (unit !== '%') max = Math.max(4, Math.ceil(max / 4) * 4); // whole numbers on the scale
  const gw = (W - L - 10) / Math.max(groups.length, 1);
  const bw = Math.max(2, Math.min(26, (gw - 6) / series.length));
  const y = (v) => T + (H - T - B) * (1 - Math.min(v, max) / (max || 1));
  const svg = s('svg', { id, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': id + '-t', class: 'chart' },
    s('title', { id: id + '-t' }, title));
  for (let k = 0; k <= 4; k++) {
    const v = max * k / 4;
    svg.append(s('line', { x1: L, x2: W - 5, y1: y(v), y2: y(v), stroke: '#d5dbe1' }),
      s('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#444' },
        unit === '%' ? `${Math.round(v)}%` : num(Math.round(v))));
  }
  groups.forEach((g, i) => {
    const x0 = L + i * gw + (gw - bw * series.length) / 2;
    g.values.forEach((v, k) => {
      const top = y(v);
      svg.append(s('rect', { x: x0 + k * bw, y: top, width: bw - 1, height: Math.max(0, H - B - top), fill: COLORS[k % COLORS.length] },
        s('title', {}, `${g.label} · ${series[k]}: ${unit === '%' ? pctText(v) : num(v)}`)));
    });
    if (groups.length <= 12 || i % Math.ceil(groups.length / 7) === 0)
      svg.append(s('text', { x: L + i * gw + gw / 2, y: H - B + 14, 'text-anchor': 'middle', 'font-size': 11, fill: '#222' },
        g.label.length > 14 ? g.label.slice(0, 13) + '…' : g.label));
  });
  const step = (W - L) / series.length;
  series.forEach((name, k) => {
    svg.append(s('rect', { x: L + k * step, y: H - 18, width: 10, height: 10, fill: COLORS[k % COLORS.length] }),
      s('text', { x: L + k * step + 14, y: H - 9, 'font-size': 11, fill: '#222' }, name));
  });
  return svg;
}

// A cell is a text or an element (the approximate mark of a 2025 commune).
function table(id, caption, head, rows) {
  return h('table', { id, class: 'data' }, h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))));
}


// The level of an area code: 2 digits a province, 3 a district, 5 a commune.
const LEVEL = { 2: 'province', 3: 'district', 5: 'commune' };

// The page's state in its URL (the hash: it never reaches the server):
// #dashboard?units=2025&area=01.001.00001&from=..&to=..&as_of=.. - area the
// codes picked, each inside the one before. Codes and dates only.
export function dashboardParams(query) {
  const q = new URLSearchParams(query || '');
  const units = q.get('units') === '2025' ? '2025' : '2022';
  const chain = (q.get('area') || '').split('.').filter(Boolean);
  const ok = chain.length <= 4 && chain.every((c, i) => (units === '2025' && i === 0 ? /^\d{2}$/.test(c) : /^(\d{2}|\d{3}|\d{5})$/.test(c)));
  return { units, chain: ok ? chain : [], from: isoDate(q.get('from')), to: isoDate(q.get('to')), asOf: isoDate(q.get('as_of')) };
}

export function dashboardView(session, params) {
  // chain: the areas picked, each inside the one before (codes); kids: the
  // areas one level below a chain prefix ('' = the user's own), from the
  // coverage report's by_area, so the picker never offers an area outside
  // the scope. units: 2022, or 2025 (the ministry: the provinces after the
  // 2025 merger, then the 2022 units inside one).
  const st = { seq: 0, asOf: '', from: '', to: '', units: '2022', chain: [], kids: {}, data: null, error: '', loading: false };
  const units2025 = session.role === 'ministry';
  // active: the page is on screen; an answer that comes after the user
  // went to another page must not draw over it
  let main = null, active = false;
  const redraw = () => { if (active) draw(main); };
  const draft = drafts(); // dates typed and not sent yet
  setParams(params);

  function setParams(p) {
    if (!p) return;
    draft.clear();
    st.units = units2025 ? p.units : '2022';
    st.chain = p.chain; st.from = p.from; st.to = p.to; st.asOf = p.asOf;
  }
  function urlQuery() {
    const q = new URLSearchParams();
    if (st.units === '2025') q.set('units', '2025');
    if (st.chain.length) q.set('area', st.chain.join('.'));
    for (const [k, v] of [['from', st.from], ['to', st.to], ['as_of', st.asOf]]) if (v) q.set(k, v);
    return q.toString();
  }
  // A new entry in the browser's history for each pick or range sent, so
  // the back button, a reload and a shared link find the same figures.
  function remember() { rememberUrl('dashboard', urlQuery()); }

  // province=.. / district=.. / commune=.. (province2025=.. in 2025 units)
  // of a chain prefix ('' = own area)
  function areaOf(chain) {
    const code = chain[chain.length - 1];
    if (!code) return '';
    return st.units === '2025' && chain.length === 1 ? `province2025=${code}` : `${LEVEL[code.length]}=${code}`;
  }
  const join = (path, a) => (a ? path + (path.includes('?') ? '&' : '?') + a : path);
  const withArea = (path) => join(path, areaOf(st.chain));
  // the coverage of a chain prefix: its by_area are the areas below it
  const coveragePath = (chain, asOf) => join(join('reports/coverage' + asOf, areaOf(chain)),
    st.units === '2025' && !chain.length ? 'group=province2025' : '');
  // a 2025 province's own figures are by 2025 commune (group=commune2025);
  // its select below still offers the 2022 provinces it was made of
  const communes2025 = () => st.units === '2025' && st.chain.length === 1;
  const tablePath = (asOf) => join(coveragePath(st.chain, asOf), communes2025() ? 'group=commune2025' : '');
  const kidsKey = (chain) => st.units + '|' + chain.join('.');
  const kidsOf = (cov) => cov.by_area.filter((a) => LEVEL[a.area_code.length]).map((a) => ({ code: a.area_code, name: a.area_name }));
  function rangeQuery(defFrom, defTo) {
    const from = st.from || defFrom, to = st.to || defTo;
    return [from ? `from=${from}` : '', to ? `to=${to}` : ''].filter(Boolean).join('&');
  }

  async function load() {
    const seq = ++st.seq; // only the last of several quick picks (arrow keys) is drawn
    st.loading = true; st.error = '';
    redraw();
    const asOf = st.asOf ? `?as_of=${st.asOf}` : '';
    // the areas above the one picked, for their selects (a reload or a
    // link opens the page deep down; each is read once)
    for (let i = 0; i < st.chain.length; i++) {
      const up = st.chain.slice(0, i), key = kidsKey(up);
      if (!st.kids[key]) api('GET', coveragePath(up, '')).then((c) => { st.kids[key] = kidsOf(c); if (!st.loading) redraw(); }, () => {});
    }
    try {
      const key = kidsKey(st.chain);
      const [coverage, doses, quality, backlog, below] = await Promise.all([
        api('GET', tablePath(asOf)), api('GET', withArea('reports/doses?' + rangeQuery('2021-03-01', '2022-12-31'))),
        api('GET', withArea(`reports/quality?limit=${WORST}`)), api('GET', withArea(rangeQuery('', '') ? 'reports/backlog?' + rangeQuery('', '') : 'reports/backlog')),
        communes2025() && !st.kids[key] ? api('GET', coveragePath(st.chain, '')) : null]);
      if (seq !== st.seq) return;
      st.data = { coverage, doses, quality, backlog };
      const here = st.chain[st.chain.length - 1] || '';
      if (!st.kids[key] && here.length < 5) // a commune has no areas below it
        st.kids[key] = kidsOf(below || coverage);
    } catch (e) {
      if (seq !== st.seq) return;
      st.error = errorText(e);
      toast(st.error, 'error');
    }
    st.loading = false;
    redraw();
  }

  // The 2022 / 2025 switch (the ministry), one select per level picked so
  // far and one for the next level below.
  function picker() {
    const selects = [];
    if (units2025)
      selects.push(field(t('dash.units'), h('select', { id: 'db-units', onchange: (e) => {
        st.units = e.target.value; st.chain = [];
        remember(); load();
      } }, option('2022', t('dash.units2022'), st.units === '2022'), option('2025', t('dash.units2025'), st.units === '2025'))));
    for (let i = 0; i <= st.chain.length; i++) {
      const parent = i ? st.chain[i - 1] : '';
      const kids = st.kids[kidsKey(st.chain.slice(0, i))];
      if (!kids || !kids.length) break;
      const level = st.units === '2025' && i === 0 ? 'province2025' : LEVEL[kids[0].code.length];
      const sel = h('select', { id: `db-area-${level}`, onchange: (e) => {
        st.chain = st.chain.slice(0, i);
        if (e.target.value) st.chain.push(e.target.value);
        remember(); load();
      } }, option('', i ? t('dash.allOf', { area: nameOf(parent) }) : t('dash.allMine')),
      kids.map((k) => option(k.code, `${k.name || k.code} (${k.code})`, st.chain[i] === k.code)));
      selects.push(field(t('dash.levels.' + level), sel));
    }
    return selects;
  }
  function nameOf(code) {
    for (const list of Object.values(st.kids)) { const k = list.find((x) => x.code === code); if (k) return k.name || code; }
    return code;
  }

  // The same figures as CSV, for the area picked (from and to are in path).
  function csvLink(path, label) {
    const p = withArea(path);
    return h('a', { class: 'csv', href: '/api/v1/' + p + (p.includes('?') ? '&' : '?') + 'format=csv', download: '', text: label });
  }

  function coverageSection(c) {
    const series = [t('dash.dose1'), t('dash.dose2'), t('dash.dose3')];
    const ages = c.by_age.filter((a) => a.population > 0);
    const by2025 = c.group === 'commune2025';
    const q = `reports/coverage?as_of=${c.as_of}` + (c.group === 'province2025' || by2025 ? `&group=${c.group}` : '');
    // a 2025 commune: its name, and the mark when a split 2022 commune has a
    // part in it (counted whole in one of its targets: docs/api.md)
    const areaName = (a) => (by2025 && !a.area_code ? t('dash.unplaced2025') : a.area_name || a.area_code);
    const areaCell = (a) => (a.approximate
      ? h('span', {}, areaName(a), ' ', h('abbr', { class: 'approx', title: t('dash.approxTip', { n: a.split_communes }), text: '≈' }))
      : areaName(a));
    const approx = by2025 ? c.by_area.filter((a) => a.approximate).length : 0;
    // the chart: 30 areas; of a 2025 province's communes (all listed in the
    // table, those with no one too) the 30 with the most people, none empty
    const chartAreas = (by2025 ? c.by_area.filter((a) => a.population > 0).sort((x, y) => y.population - x.population) : c.by_area).slice(0, 30);
    const ageRows = ages.map((a) => [a.age_group === 'unknown' ? t('dash.ageUnknown') : a.age_group, num(a.population),
      `${num(a.dose1)} (${pctOf(a.dose1, a.population)})`, `${num(a.dose2)} (${pctOf(a.dose2, a.population)})`,
      `${num(a.dose3)} (${pctOf(a.dose3, a.population)})`]);
    const areaRows = c.by_area.map((a) => [areaCell(a), num(a.population),
      pctOf(a.dose1, a.population), pctOf(a.dose2, a.population), pctOf(a.dose3, a.population)]);
    const head = [t('dash.ageGroup'), t('dash.population'), ...series];
    return h('section', { class: 'card dash', 'aria-labelledby': 'db-cov-h' },
      h('h2', { id: 'db-cov-h', text: t('dash.coverage', { date: fmtDate(c.as_of) }) }),
      h('p', {}, t('dash.totals'), ' ',
        h('strong', { id: 'db-cov-pop', text: num(c.total.population) }), ` ${t('dash.people')} · ${series[0]}: `,
        h('strong', { id: 'db-cov-dose1', text: num(c.total.dose1) }), ` · ${series[1]}: `,
        h('strong', { id: 'db-cov-dose2', text: num(c.total.dose2) }), ` · ${series[2]}: `,
        h('strong', { id: 'db-cov-dose3', text: num(c.total.dose3) })),
      h('div', { class: 'dash-pair' },
        barChart('db-cov-age-chart', t('dash.coverageByAge'), ages.map((a) => ({ label: a.age_group === 'unknown' ? t('dash.ageUnknown') : a.age_group,
          values: [pct(a.dose1, a.population), pct(a.dose2, a.population), pct(a.dose3, a.population)] })), series, 100, '%'),
        table('db-cov-age', t('dash.coverageByAge'), head, ageRows)),
      h('p', {}, csvLink(q + '&view=by_age', t('dash.csvAge'))),
      h('div', { class: 'dash-pair' },
        barChart('db-cov-area-chart', by2025 ? t('dash.coverageByCommune2025') : t('dash.coverageByArea'), chartAreas.map((a) => ({ label: areaName(a) + (a.approximate ? ' ≈' : ''),
          values: [pct(a.dose1, a.population), pct(a.dose2, a.population), pct(a.dose3, a.population)] })), series, 100, '%'),
        table('db-cov-area', by2025 ? t('dash.coverageByCommune2025') : t('dash.coverageByArea'),
          [by2025 ? t('dash.commune2025') : t('dash.area'), t('dash.population'), ...series], areaRows)),
      approx ? h('p', { id: 'db-approx-note', class: 'note muted' }, h('span', { class: 'approx', 'aria-hidden': 'true', text: '≈ ' }),
        t('dash.approxNote', { n: approx })) : null,
      h('p', {}, csvLink(q + '&view=by_area', by2025 ? t('dash.csvCommune2025') : t('dash.csvArea'))));
  }

  function dosesSection(d) {
    // weeks, so a year and a half fits one chart; the table lists the weeks too
    const weeks = [];
    d.days.forEach((x, i) => {
      if (i % 7 === 0) weeks.push({ day: x.day, dose1: 0, dose2: 0, dose3: 0, other: 0, total: 0 });
      const w = weeks[weeks.length - 1];
      for (const k of ['dose1', 'dose2', 'dose3', 'other', 'total']) w[k] += x[k];
    });
    const max = Math.max(1, ...weeks.map((w) => w.total));
    return h('section', { class: 'card dash', 'aria-labelledby': 'db-doses-h' },
      h('h2', { id: 'db-doses-h', text: t('dash.doses', { from: fmtDate(d.from), to: fmtDate(d.to) }) }),
      h('p', {}, t('dash.dosesTotal'), ' ', h('strong', { id: 'db-doses-total', text: num(d.total) })),
      h('div', { class: 'dash-pair' },
        barChart('db-doses-chart', t('dash.dosesPerWeek'), weeks.map((w) => ({ label: fmtDate(w.day), values: [w.total] })), [t('dash.postings')], max, ''),
        h('div', { class: 'scroll' }, table('db-doses', t('dash.dosesPerWeek'), [t('dash.weekFrom'), t('dash.dose1Short'), t('dash.dose2Short'), t('dash.dose3Short'), t('dash.other'), t('dash.total')],
          weeks.filter((w) => w.total).map((w) => [fmtDate(w.day), num(w.dose1), num(w.dose2), num(w.dose3), num(w.other), num(w.total)])))),
      h('p', {}, csvLink(`reports/doses?from=${d.from}&to=${d.to}`, t('dash.csvDays'))));
  }

  function qualitySection(q) {
    const worst = q.facilities.slice(0, WORST);
    return h('section', { class: 'card dash', 'aria-labelledby': 'db-q-h' },
      h('h2', { id: 'db-q-h', text: t('dash.quality', { n: worst.length, total: num(q.facility_count) }) }),
      h('div', { class: 'dash-pair' },
        barChart('db-q-chart', t('dash.problemShare'), worst.map((f) => ({ label: f.facility_code,
          values: [100 * f.problem_share, 100 * f.reason_share] })), [t('dash.problemShare'), t('dash.reasonShare')], 100, '%'),
        table('db-quality', t('dash.worstFacilities'), [t('dash.facility'), t('dash.records'), t('dash.review'), t('dash.unlinked'),
          t('dash.problemShare'), t('dash.topReason')],
        worst.map((f) => [f.facility_code, num(f.records), num(f.review), num(f.unlinked + f.not_linked), pctText(100 * f.problem_share),
          f.reasons.length ? `${f.reasons[0].reason} (${pctText(100 * f.reasons[0].share)})` : '—']))),
      h('p', {}, csvLink('reports/quality?view=facilities', t('dash.csvQuality')), ' · ', csvLink('reports/quality?view=reasons', t('dash.csvReasons'))));
  }

  function backlogSection(b) {
    const top = b.communes.slice(0, 15);
    const days = b.decisions_per_day;
    return h('section', { class: 'card dash', 'aria-labelledby': 'db-b-h' },
      h('h2', { id: 'db-b-h', text: t('dash.backlog') }),
      h('p', {}, t('dash.openItems'), ' ', h('strong', { id: 'db-open-items', text: num(b.open_items) }), ' · ',
        t('dash.decided', { from: fmtDate(b.from), to: fmtDate(b.to) }), ' ', h('strong', { id: 'db-decided', text: num(b.decided) })),
      h('div', { class: 'dash-pair' },
        barChart('db-b-chart', t('dash.backlogByCommune'), top.map((c) => ({ label: c.commune_name || c.commune_code,
          values: [c.commune_items, c.facility_items] })), [t('dash.communeItems'), t('dash.facilityItems')],
        Math.max(1, ...top.map((c) => Math.max(c.commune_items, c.facility_items))), ''),
        table('db-backlog', t('dash.backlogByCommune'), [t('dash.commune'), t('dash.communeItems'), t('dash.facilityItems'), t('dash.total')],
          b.communes.map((c) => [c.commune_name ? `${c.commune_name} (${c.commune_code})` : c.commune_code || '—', num(c.commune_items), num(c.facility_items), num(c.total)]))),
      h('p', {}, csvLink(`reports/backlog?view=communes&from=${b.from}&to=${b.to}`, t('dash.csvBacklog')), ' · ', csvLink(`reports/backlog?view=items&from=${b.from}&to=${b.to}`, t('dash.csvItems'))),
      h('div', { class: 'dash-pair' },
        barChart('db-dec-chart', t('dash.decisionsPerDay'), days.map((x) => ({ label: fmtDate(x.day), values: [x.count] })), [t('dash.decisions')],
          Math.max(1, ...days.map((x) => x.count)), ''),
        h('div', { class: 'scroll' }, table('db-decisions', t('dash.decisionsPerDay'), [t('dash.day'), t('dash.decisions')],
          days.filter((x) => x.count).map((x) => [fmtDate(x.day), num(x.count)])))),
      h('p', {}, csvLink(`reports/backlog?view=decisions_per_day&from=${b.from}&to=${b.to}`, t('dash.csvDecisions')), ' · ',
        csvLink(`reports/backlog?view=decisions&from=${b.from}&to=${b.to}`, t('dash.csvDecisionsCommune'))));
  }

  // A commune officer's own area is its communes (the API says "all" for the list).
  function areaLabel(area) {
    if (area.level === 'province2025') return `${area.name || area.code} (${area.code}, 2025)`;
    if (area.code) return `${area.name || area.code} (${area.code})`;
    return session.role === 'commune' ? `${t('dash.myCommunes')} (${session.area})` : t('dash.country');
  }

  function draw(m) {
    main = m;
    if (!main) return;
    keepFocus(main, drawPage); // a redraw after a pick keeps the keyboard where it was
  }
  function drawPage() {
    const d = st.data;
    const date = (id, v) => h('input', { id, type: 'text', inputmode: 'numeric', size: 10, value: draft.value(id, fmtDate(v)) });
    const asOf = date('db-asof', st.asOf || (d ? d.coverage.as_of : ''));
    const from = date('db-from', st.from), to = date('db-to', st.to);
    const area = d ? d.coverage.area : null;
    main.replaceChildren(...[
      h('h1', { text: t('navDashboard') }),
      area ? h('p', { class: 'muted', id: 'db-area', text: `${t('dash.areaOf')}: ${areaLabel(area)}` }) : null,
      h('div', { class: 'toolbar', id: 'db-picker', role: 'group', 'aria-label': t('dash.areaOf') }, picker()),
      h('form', { class: 'toolbar', id: 'db-form', oninput: draft.note, onchange: draft.note, onsubmit: (e) => {
        e.preventDefault();
        // the day shown by default stays "today" (not pinned in the URL)
        const day = isoDate(asOf.value);
        st.asOf = !st.asOf && d && day === d.coverage.as_of ? '' : day;
        st.from = isoDate(from.value); st.to = isoDate(to.value);
        draft.clear(); remember(); load();
      } },
      field(t('dash.asOf'), asOf, t('dateHint')),
      field(t('dash.from'), from, t('dateHint')), field(t('dash.to'), to, t('dateHint')),
      h('button', { id: 'db-refresh', type: 'submit', class: 'primary', disabled: st.loading, text: t('refresh') })),
      st.loading ? h('p', { class: 'loading', text: t('loading') }) : null,
      st.error ? h('p', { class: 'error', role: 'alert', text: st.error }) : null,
      d ? h('div', { id: 'db-ready', class: 'dash-grid' }, coverageSection(d.coverage), dosesSection(d.doses),
        qualitySection(d.quality), backlogSection(d.backlog)) : null].filter(Boolean));
  }

  return {
    draw(m) { active = true; draw(m); },
    enter() { active = true; if (!st.data && !st.loading) load(); },
    leave() { active = false; },
    url: urlQuery,
    // the back or forward button, or a link, changed the URL
    fromUrl(query) { if (query !== urlQuery()) { setParams(dashboardParams(query)); load(); } },
  };
}
