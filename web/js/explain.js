// explain.js - reads the text of GET /api/v1/explain/{facility}/{record}
// (vs_engine_explain) into parts the review page draws side by side. The text
// is made for people; when a part cannot be read the page still shows the
// whole text, so a change of format degrades to plain text, never to a wrong
// table.

const RAW_KEYS = ['record_id', 'facility_code', 'full_name', 'dob', 'sex', 'id_number', 'phone',
  'address', 'vaccine', 'lot', 'dose', 'shot_date'];

export function parseExplanation(text) {
  const out = { raw: {}, standardized: '', link: '', thresholds: '', candidates: [] };
  const lines = String(text || '').split('\n');
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^ {2}(\w+)\s?(.*)$/.exec(lines[i]);
    if (lines[i].startsWith('standardized:')) break;
    if (m && RAW_KEYS.includes(m[1])) out.raw[m[1]] = m[2].trim();
  }
  let cand = null, header = null;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('standardized:')) out.standardized = line.slice(13).trim();
    else if (line.startsWith('link:')) out.link = line.slice(5).trim();
    else if (line.startsWith('thresholds:')) out.thresholds = line.slice(11).trim();
    else if (/^candidate \d+:/.test(line)) { cand = { rows: [], total: null, p: null }; out.candidates.push(cand); header = null; }
    else if (cand && /^\s+field\s+record\s+candidate/.test(line)) header = line;
    else if (cand && header && line.trim()) {
      const row = parseRow(line, header);
      if (row && row.field === 'total') { cand.total = row.total; cand.p = row.p; }
      else if (row) cand.rows.push(row);
    } else if (!line.trim()) { cand = null; header = null; }
  }
  return out;
}

// One row of a candidate's table: field, record, candidate, level, weight,
// running total. The last columns are read from the right (they have no
// spaces); record and candidate are split at the header's column.
function parseRow(line, header) {
  const field = line.trim().split(/\s+/)[0];
  if (field === 'total') {
    const m = /(-?[+]?\d+\.\d+)\s+p=([\d.]+)/.exec(line);
    return m ? { field, total: parseFloat(m[1]), p: parseFloat(m[2]) } : null;
  }
  const m = /^(.*?)\s+(\S+)\s+([+-]\d+\.\d+)\s+([+-]\d+\.\d+)\s*$/.exec(line);
  if (!m) return null;
  const recCol = header.indexOf('record'), candCol = header.indexOf('candidate');
  if (field === 'prior') return { field, record: '', candidate: '', level: '', weight: parseFloat(m[3]), total: parseFloat(m[4]) };
  let level = m[2], mid = m[1].slice(recCol);
  let record = mid.slice(0, candCol - recCol).trim(), candidate = mid.slice(candCol - recCol).trim();
  if (mid.length > candCol - recCol && mid[candCol - recCol - 1] !== ' ') {
    const parts = mid.trim().split(/\s{2,}/); // a value wider than its column
    record = parts[0] || ''; candidate = parts.slice(1).join(' ');
  }
  return { field, record, candidate, level, weight: parseFloat(m[3]), total: parseFloat(m[4]) };
}

// agree | partial | disagree | none, from the level and its weight.
export function agreement(row) {
  if (row.level === 'null' || row.weight === 0) return 'none';
  if (row.level === 'exact' || row.level === 'equal' || row.level === 'commune') return 'agree';
  return row.weight > 0 ? 'partial' : 'disagree';
}
