// dom.js - builds elements without HTML strings: every text goes in through
// textContent or a text node, so data can never become markup (docs/ui.md).

// h('button', {class: 'x', onclick: f, text: 'Go'}, child, 'text', ...)
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of kids.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A label and its control (which must have an id), in a div.
export function field(label, control, hint) {
  return h('div', { class: 'field' }, h('label', { for: control.id, text: label }), control,
    hint ? h('span', { class: 'hint', text: hint }) : null);
}

export function option(value, text, selected) {
  return h('option', { value, selected: !!selected, text });
}

// A message in the live region (read out by screen readers); kind ok | error.
export function toast(text, kind) {
  const el = document.getElementById('toast');
  el.className = 'toast ' + (kind || 'ok');
  el.textContent = text;
}

// What a person has typed into a form and not sent yet, kept across the
// redraw that a load's answer makes (a filter chosen while the list loads
// must not fall back to the one sent): note() on the form's input and change
// events, value(id, sent) when drawing, clear() (or forget(ids) for one form
// of several) when the form is sent or the URL (Back, a link) sets the sent values.
export function drafts() {
  let typed = {};
  return {
    note(e) { if (e.target && e.target.id) typed[e.target.id] = e.target.value; },
    value(id, sent) { return Object.prototype.hasOwnProperty.call(typed, id) ? typed[id] : sent; },
    clear() { typed = {}; },
    forget(...ids) { for (const id of ids) delete typed[id]; }, // one form of several sent
  };
}

// Draws a page again, the keyboard focus (and the caret in a text field)
// staying on the control, by id, it was on.
export function keepFocus(main, drawIt) {
  const el = document.activeElement && main.contains(document.activeElement) ? document.activeElement : null;
  const focused = el ? el.id : '';
  let caret = null;
  try { if (el && typeof el.selectionStart === 'number') caret = [el.selectionStart, el.selectionEnd]; } catch (e) { caret = null; }
  drawIt();
  const again = focused && main.querySelector('#' + CSS.escape(focused));
  if (!again || again.disabled) return;
  again.focus();
  try { if (caret) again.setSelectionRange(caret[0], caret[1]); } catch (e) { /* a control without a caret */ }
}
