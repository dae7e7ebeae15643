// Small DOM helpers: elements are built with textContent, never from HTML strings, so nothing a
// user typed (names, labels, audit details) can become markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function announce(message) {
  const status = document.getElementById('status');
  status.textContent = message;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => (status.textContent = ''), 6000);
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds <= 0) return 'now';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function relative(iso) {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso) - Date.now()) / 1000);
  return seconds >= 0 ? `in ${duration(seconds)}` : `${duration(-seconds)} ago`;
}

export function table(caption, headers, rows, empty) {
  if (rows.length === 0) {
    return el('p', { class: 'lead', text: empty });
  }
  return el(
    'table',
    {},
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, headers.map((h) =>
      el('th', { scope: 'col', class: h.num ? 'num' : null, text: h.label || h })))),
    el('tbody', {}, rows),
  );
}

export function copyable(command, label) {
  return el(
    'span',
    { class: 'copy' },
    el('code', { text: command }),
    el('button', {
      type: 'button',
      class: 'secondary',
      'aria-label': `Copy ${label}`,
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(command);
          announce(`Copied: ${command}`);
        } catch (e) {
          announce('Copying is blocked here; select the command and copy it.');
        }
      },
    }, 'Copy'),
  );
}

export function field(id, label, input, hint) {
  input.id = id;
  return el('div', {}, el('label', { for: id }, label, hint ? el('span', { class: 'hint', text: ` ${hint}` }) : null), input);
}

export function errorText(error) {
  const field = error.details && error.details.field ? ` (field ${error.details.field})` : '';
  return `${error.message}${field}`;
}

/** Runs fn every `ms` while the page is visible; the first run is immediate. */
export function every(ms, fn) {
  let stopped = false;
  async function tick() {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await fn();
      } catch (e) {
        announce(`Refresh failed: ${e.message}`);
      }
    }
    setTimeout(tick, ms);
  }
  tick();
  return () => (stopped = true);
}
