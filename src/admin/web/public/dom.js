// Tiny DOM helpers. Data only ever reaches the page through textContent, form values and
// text nodes: nothing here (or anywhere in this UI) assigns innerHTML.

/**
 * Creates an element. props: class, text, value, checked, disabled, hidden, dataset, on<event>,
 * any other attribute (never from untrusted data for href/src). Children: nodes or strings
 * (strings become text nodes).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'value') el.value = String(value);
    else if (key === 'checked' || key === 'disabled' || key === 'hidden' || key === 'readOnly' || key === 'selected') el[key] = Boolean(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nested arrays allowed; null/false skipped; strings as text). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A <select> with [value, label] options. */
export function select(options, current, props) {
  return h(
    'select',
    props,
    options.map(([value, label]) => h('option', { value, selected: value === current, text: label })),
  );
}

/** "2025-05-27 14:03" in the browser's time zone. */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Calls fn at most once per `ms` of quiet. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
