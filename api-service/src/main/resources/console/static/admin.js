// Admin pages. The server refuses them (page and calls) to non-admins; hiding their links is only
// a courtesy.
import { get } from './api.js';
import { el, errorText, field, table, time } from './dom.js';

function query(values) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A pager over cursor pages: Previous goes back through the cursors seen. */
function pager(load) {
  const cursors = [null];
  const position = el('span', { class: 'lead' });
  const previous = el('button', { type: 'button', class: 'secondary', text: 'Previous page' });
  const next = el('button', { type: 'button', class: 'secondary', text: 'Next page' });
  let nextCursor = null;
  async function show() {
    const page = await load(cursors[cursors.length - 1]);
    nextCursor = page.nextCursor;
    previous.disabled = cursors.length === 1;
    next.disabled = !nextCursor;
    position.textContent = `Page ${cursors.length}`;
  }
  previous.addEventListener('click', async () => { cursors.pop(); await show(); });
  next.addEventListener('click', async () => { cursors.push(nextCursor); await show(); });
  return {
    node: el('div', { class: 'pager' }, previous, position, next),
    reset: async () => { cursors.length = 1; await show(); },
  };
}

export async function allReservationsPage(main) {
  const user = el('input', { type: 'text', autocomplete: 'off' });
  const status = el('select', {}, el('option', { value: '', text: 'any' }),
    ['PENDING', 'QUEUED', 'PREPARING', 'ACTIVE', 'EXPIRED', 'CANCELLED', 'FAILED'].map((s) => el('option', { value: s, text: s })));
  const error = el('p', { class: 'error', role: 'alert' });
  const results = el('div');
  const p = pager(async (cursor) => {
    const page = await get('admin/reservations' + query({ user: user.value.trim(), status: status.value, cursor, limit: 50 }));
    results.replaceChildren(table('Newest first', ['Id', 'Owner', 'Name', 'GPUs', 'Status', 'Created', 'Ends'],
      page.items.map((r) => el('tr', { 'data-id': r.id },
        el('td', { class: 'mono', text: r.id.slice(0, 8) }),
        el('td', { text: r.username }),
        el('td', { text: r.name }),
        el('td', { text: `${r.nodeCount > 1 ? `${r.nodeCount} × ` : ''}${r.gpuCount} ${r.gpuType}` }),
        el('td', {}, el('span', { class: `status status-${r.status}`, text: r.status })),
        el('td', { text: time(r.createdAt) }),
        el('td', { text: time(r.endedAt || r.expiresAt) }))),
      'No reservations match.'));
    return page;
  });
  const form = el('form', { class: 'panel' },
    el('div', { class: 'fields' }, field('filter-user', 'User', user, '(empty: everyone)'), field('filter-status', 'Status', status)),
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Show' }), error));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try { await p.reset(); } catch (e) { error.textContent = errorText(e); }
  });
  main.append(el('h1', { text: 'All reservations' }), form, results, p.node);
  await p.reset();
}

export async function auditPage(main) {
  const inputs = {
    actor: el('input', { type: 'text', autocomplete: 'off' }),
    action: el('input', { type: 'text', autocomplete: 'off', placeholder: 'reservation.create' }),
    resourceType: el('input', { type: 'text', autocomplete: 'off', placeholder: 'reservation' }),
    resourceId: el('input', { type: 'text', autocomplete: 'off' }),
    outcome: el('select', {}, ['', 'success', 'denied', 'failure'].map((o) => el('option', { value: o, text: o || 'any' }))),
    since: el('input', { type: 'datetime-local' }),
    until: el('input', { type: 'datetime-local' }),
  };
  const filters = () => {
    const f = {};
    for (const [k, input] of Object.entries(inputs)) {
      const v = input.value.trim();
      if (!v) continue;
      f[k] = k === 'since' || k === 'until' ? new Date(v).toISOString() : v;
    }
    return f;
  };
  const error = el('p', { class: 'error', role: 'alert' });
  const results = el('div', { id: 'audit-results' });
  const csv = el('a', { class: 'button secondary', href: '/console/api/admin/audit.csv', download: 'odc-audit.csv' }, 'Export CSV');
  const p = pager(async (cursor) => {
    const page = await get('admin/audit' + query({ ...filters(), cursor, limit: 50 }));
    csv.setAttribute('href', '/console/api/admin/audit.csv' + query(filters()));
    results.replaceChildren(table('Newest first', [{ label: 'Id', num: true }, 'When', 'Actor', 'Action', 'Resource', 'Outcome', 'Details'],
      page.items.map((e) => el('tr', { 'data-audit-id': e.id },
        el('td', { class: 'num', text: e.id }),
        el('td', { text: time(e.at) }),
        el('td', { text: e.actor }),
        el('td', { class: 'mono', text: e.action }),
        el('td', { text: `${e.resourceType}${e.resourceId ? ' ' + e.resourceId.slice(0, 8) : ''}` }),
        el('td', { class: e.outcome === 'success' ? 'ok' : 'error', text: e.outcome }),
        el('td', { class: 'mono', text: Object.entries(e.details).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ') }))),
      'No events match these filters.'));
    return page;
  });
  const verdict = el('p', { class: 'verify', role: 'status' });
  const verify = el('button', { type: 'button', class: 'secondary', text: 'Check the hash chain' });
  verify.addEventListener('click', async () => {
    verdict.textContent = 'Checking…';
    try {
      const v = await get('admin/audit/verify');
      verdict.className = `verify ${v.intact ? 'ok' : 'error'}`;
      verdict.textContent = v.intact
        ? `Intact: all ${v.rowsChecked} rows link to their predecessors and match their hashes.`
        : `BROKEN at row ${v.firstBrokenId}: ${v.reason} (${v.rowsChecked} rows checked).`;
    } catch (e) {
      verdict.textContent = errorText(e);
    }
  });
  const form = el('form', { class: 'panel', id: 'audit-form' },
    el('div', { class: 'fields' },
      field('audit-actor', 'Actor', inputs.actor),
      field('audit-action', 'Action', inputs.action),
      field('audit-type', 'Resource type', inputs.resourceType),
      field('audit-resource', 'Resource id', inputs.resourceId),
      field('audit-outcome', 'Outcome', inputs.outcome),
      field('audit-since', 'Since', inputs.since),
      field('audit-until', 'Until', inputs.until)),
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Search' }), csv, verify, error));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try { await p.reset(); } catch (e) { error.textContent = errorText(e); }
  });
  main.append(el('h1', { text: 'Audit log' }),
    el('p', { class: 'lead', text: 'Every change by users, admins and the platform, hash-chained.' }),
    form, verdict, results, p.node);
  await p.reset();
}

export async function usersPage(main) {
  const users = await get('admin/users');
  main.append(el('h1', { text: 'Users' }),
    el('p', { class: 'lead', text: 'Users appear at their first login; roles come from the identity provider.' }),
    table(`${users.length} users`, ['Username', 'Email', 'Roles', 'Status', 'Since'],
      users.map((u) => el('tr', { 'data-user': u.username },
        el('th', { scope: 'row', text: u.username }),
        el('td', { text: u.email || '—' }),
        el('td', { text: u.roles.join(', ') }),
        el('td', { text: u.disabled ? 'disabled' : 'active' }),
        el('td', { text: time(u.createdAt) }))),
      'No users yet.'));
}

