// The DOM helpers every page uses (admin, dashboard, console, tasks, simulator, landing). Data only
// ever reaches a page through textContent, form values and text nodes: nothing here (or anywhere
// in the UI) parses strings as markup.

/** The element with this id. */
export function $(id) {
  return document.getElementById(id);
}

/** A bare element with a class and text (the short form of h()). */
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Removes every child of `node`. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/**
 * Creates an element. props: class, text, value, checked, disabled, hidden, dataset, on<event>,
 * any other attribute (never from untrusted data for href/src). Children: nodes or strings
 * (strings become text nodes).
 */
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'value') node.value = String(value);
    else if (key === 'checked' || key === 'disabled' || key === 'hidden' || key === 'readOnly' || key === 'selected') node[key] = Boolean(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2).toLowerCase(), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
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

/** An empty state: one muted line saying what is missing and, where it helps, what to do. */
export function emptyState(text) {
  return h('p', { class: 'empty', text });
}

/** "2025-05-27 14:03:09" in the browser's time zone. */
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

/** A short message in the corner that goes away by itself; kind: good, bad or warn. */
export function toast(text, kind) {
  let box = document.querySelector('.toasts');
  if (!box) {
    box = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const item = h('div', { class: `toast ${kind || ''}`, text });
  box.append(item);
  setTimeout(() => item.remove(), kind === 'bad' ? 10_000 : 5_000);
  return item;
}

/**
 * Asks before something that cannot be taken back. Resolves true when the person confirms.
 * detail: an optional longer text (e.g. a diff) shown in a scrolling box.
 */
export function confirmDialog({ title, text, detail, ok = '确定', cancel = '取消', danger = false }) {
  return new Promise((resolve) => {
    const okButton = h('button', { type: 'button', class: danger ? 'danger plain' : '', text: ok });
    const cancelButton = h('button', { type: 'button', class: 'plain', text: cancel });
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-label': title || text },
      title ? h('h2', { text: title }) : null,
      text ? h('p', { text }) : null,
      detail ? h('pre', { text: detail }) : null,
      h('div', { class: 'actions' }, cancelButton, okButton),
    );
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    okButton.addEventListener('click', () => done(true));
    cancelButton.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancelButton.focus();
  });
}
