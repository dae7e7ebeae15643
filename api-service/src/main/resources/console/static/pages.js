// The pages every user has: availability, my reservations, disks.
import { del, get, post } from './api.js';
import { usageChart } from './chart.js';
import {
  announce, copyable, duration, el, errorText, every, field, relative, table, time,
} from './dom.js';

export async function availabilityPage(main) {
  const heading = el('h1', { text: 'GPU availability' });
  const lead = el('p', { class: 'lead' });
  const banner = el('div');
  const now = el('div');
  const charts = el('div', { class: 'charts' });
  main.append(
    heading, banner, lead, now,
    el('h2', { text: 'The last 24 hours' }),
    el('p', { class: 'lead', text: 'GPUs held by reservations and GPUs waited for, from the reservations\u2019 start and end times; the dotted line is today\u2019s capacity.' }),
    el('div', { class: 'legend', 'aria-hidden': 'true' },
      el('span', {}, el('span', { class: 'swatch inuse' }), 'in use'),
      el('span', {}, el('span', { class: 'swatch waiting' }), 'waiting'),
      el('span', {}, el('span', { class: 'swatch total' }), 'capacity')),
    charts);
  let drawnHistoryAt = 0;
  every(10000, async () => {
    const a = await get('availability');
    banner.replaceChildren(a.simulated
      ? el('p', { class: 'banner', text: 'This is a SIMULATED cluster (sandbox): its GPUs are not real.' })
      : '');
    lead.textContent = `Counted ${relative(a.updatedAt)}; queued counts are live.`;
    const rows = a.gpuTypes.map((t) => el('tr', { 'data-gpu-type': t.name },
      el('th', { scope: 'row', text: t.name }),
      el('td', { class: 'num', text: t.totalGpus }),
      el('td', { class: 'num', text: t.freeGpus }),
      el('td', { class: 'num', text: t.inUseGpus }),
      el('td', { class: 'num', text: t.queued }),
      el('td', { class: 'num', text: t.queued > 0 || t.freeGpus === 0 ? duration(t.estimatedWaitSeconds) : 'none' }),
      el('td', { class: 'num', text: t.maxReservable }),
      el('td', { text: `${t.gpusPerNode} GPUs, ${t.cpusPerNode} CPUs, ${t.memoryGbPerNode} GB` })));
    now.replaceChildren(table('GPUs per type, now',
      ['GPU type', { label: 'Total', num: true }, { label: 'Free', num: true },
        { label: 'In use', num: true }, { label: 'Queued', num: true },
        { label: 'Wait', num: true }, { label: 'Largest request', num: true }, 'One node'],
      rows, 'No GPU types are configured.'));
    if (Date.now() - drawnHistoryAt > 60000) {
      const history = await get('availability/history');
      charts.replaceChildren(...history.series.map((s) =>
        el('figure', {}, el('figcaption', { text: s.gpuType }), usageChart(s, history))));
      drawnHistoryAt = Date.now();
    }
  });
}

function statusCell(r) {
  const detail = [];
  if ((r.status === 'QUEUED' || r.status === 'PENDING') && r.queuePosition) {
    detail.push(`#${r.queuePosition} in the ${r.gpuType} queue`);
  }
  if (r.estimatedStartAt && (r.status === 'QUEUED' || r.status === 'PENDING' || r.status === 'PREPARING')) {
    detail.push(`expected ${relative(r.estimatedStartAt)}`);
  }
  if (r.status === 'ACTIVE' && r.expiresAt) detail.push(`ends ${relative(r.expiresAt)}`);
  if (r.failureReason) detail.push(r.failureReason);
  return el('td', {},
    el('span', { class: `status status-${r.status}`, 'data-status': r.status, text: r.status }),
    detail.length ? el('span', { class: 'detail queue', text: detail.join(' · ') }) : null);
}

function connectCell(r) {
  if (r.status !== 'ACTIVE') return el('td', { text: '—' });
  return el('td', {},
    copyable(`gpu-dev ssh ${r.id.slice(0, 8)}`, `ssh command for ${r.name}`),
    r.sshHost && r.sshPort ? copyable(`ssh -p ${r.sshPort} dev@${r.sshHost}`, `direct ssh command for ${r.name}`) : null);
}

function gpus(r) {
  return r.nodeCount > 1 ? `${r.nodeCount} × ${r.gpuCount} ${r.gpuType}` : `${r.gpuCount} × ${r.gpuType}`;
}

function parseLabels(text) {
  const labels = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`label "${part}" is not KEY=VALUE`);
    labels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return labels;
}

export async function reservationsPage(main, session) {
  const [availability, disks] = await Promise.all([get('availability'), get('disks')]);
  const formError = el('p', { class: 'error', role: 'alert', id: 'reserve-error' });
  const typeSelect = el('select', { required: true },
    availability.gpuTypes.map((t) => el('option', { value: t.name, text: `${t.name} (${t.freeGpus} free)` })));
  const gpuCount = el('input', { type: 'number', min: 1, value: 1, required: true });
  const nodeCount = el('input', { type: 'number', min: 1, max: session.limits.maxNodeCount, value: 1 });
  const hours = el('input', { type: 'number', min: 0.25, step: 0.25, max: session.limits.maxHoursPerReservation, value: 1, required: true });
  const name = el('input', { type: 'text', pattern: '[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?', autocomplete: 'off' });
  const image = el('input', { type: 'text', autocomplete: 'off', placeholder: 'default image' });
  const disk = el('select', {},
    el('option', { value: '', text: 'home (default)' }),
    el('option', { value: 'none', text: 'no home disk' }),
    disks.items.filter((d) => d.name !== 'home').map((d) => el('option', { value: d.name, text: d.name })));
  const labels = el('input', { type: 'text', autocomplete: 'off', placeholder: 'team=vision, run=3' });
  const submit = el('button', { type: 'submit', text: 'Reserve' });
  const form = el('form', { class: 'panel', 'aria-labelledby': 'new-heading' },
    el('div', { class: 'fields' },
      field('gpu-type', 'GPU type', typeSelect),
      field('gpu-count', 'GPUs per node', gpuCount),
      field('node-count', 'Nodes', nodeCount),
      field('hours', 'Hours', hours, `(at most ${session.limits.maxHoursPerReservation})`),
      field('res-name', 'Name', name, '(optional)'),
      field('image', 'Image', image, '(optional)'),
      field('disk', 'Home disk', disk),
      field('labels', 'Labels', labels, '(KEY=VALUE, …)')),
    el('div', { class: 'actions' }, submit, formError));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    submit.disabled = true;
    try {
      const body = {
        gpuType: typeSelect.value,
        gpuCount: Number(gpuCount.value),
        nodeCount: Number(nodeCount.value || 1),
        hours: Number(hours.value),
        labels: parseLabels(labels.value),
      };
      if (name.value.trim()) body.name = name.value.trim();
      if (image.value.trim()) body.image = image.value.trim();
      if (disk.value) body.disk = disk.value;
      const created = await post('reservations', body);
      announce(`Reservation ${created.name} (${created.id.slice(0, 8)}) is ${created.status}.`);
      name.value = '';
      await refresh();
    } catch (e) {
      formError.textContent = errorText(e);
    } finally {
      submit.disabled = false;
    }
  });

  const list = el('div', { id: 'reservation-list' });
  const extendDialog = extendDialogFor(() => refresh());
  main.append(
    el('h1', { text: 'My reservations' }),
    el('p', { class: 'lead', text: 'Statuses and queue positions update by themselves every few seconds.' }),
    el('h2', { id: 'new-heading', text: 'New reservation' }), form,
    el('h2', { text: 'Reservations' }), list, extendDialog);

  let last = '';
  let statuses = null;
  async function refresh() {
    const page = await get('reservations?limit=50');
    const snapshot = JSON.stringify(page.items);
    if (snapshot === last) return;
    last = snapshot;
    // screen readers hear what changed (through the status region), not the whole table again
    const now = new Map(page.items.map((r) => [r.id, r.status]));
    if (statuses) {
      const changed = page.items.filter((r) => statuses.has(r.id) && statuses.get(r.id) !== r.status);
      if (changed.length) announce(changed.map((r) => `${r.name} is now ${r.status}`).join('; '));
    }
    statuses = now;
    const focused = document.activeElement && document.activeElement.dataset.action
      ? `${document.activeElement.dataset.action}:${document.activeElement.dataset.id}` : null;
    const rows = page.items.map((r) => el('tr', { 'data-id': r.id },
      el('td', {}, el('strong', { text: r.name }), el('span', { class: 'detail mono', text: r.id.slice(0, 8) })),
      el('td', { text: gpus(r) }),
      statusCell(r),
      el('td', { class: 'num', text: r.hours }),
      el('td', { text: time(r.createdAt) }),
      connectCell(r),
      el('td', {}, r.status === 'EXPIRED' || r.status === 'CANCELLED' || r.status === 'FAILED' ? '—'
        : el('div', { class: 'row-actions' },
          el('button', { type: 'button', class: 'secondary', 'data-action': 'extend', 'data-id': r.id,
            'aria-label': `Extend ${r.name}`, onclick: () => extendDialog.openFor(r) }, 'Extend'),
          el('button', { type: 'button', class: 'danger', 'data-action': 'cancel', 'data-id': r.id,
            'aria-label': `Cancel ${r.name}`, onclick: () => cancel(r) }, 'Cancel')))));
    list.replaceChildren(table('Newest first', ['Name', 'GPUs', 'Status', { label: 'Hours', num: true }, 'Created', 'Connect', 'Actions'],
      rows, 'You have no reservations yet.'));
    if (focused) {
      const [action, id] = focused.split(':');
      const again = list.querySelector(`button[data-action="${action}"][data-id="${id}"]`);
      if (again) again.focus();
    }
  }
  async function cancel(r) {
    if (!confirm(`Cancel ${r.name} (${r.id.slice(0, 8)})? Its server is deleted; the home disk is kept.`)) return;
    try {
      const done = await post(`reservations/${r.id}/cancel`);
      announce(`${done.name} is ${done.status}.`);
      await refresh();
    } catch (e) {
      announce(errorText(e));
    }
  }
  every(2000, refresh);
  // the free counts in the GPU type list follow the availability job
  every(10000, async () => {
    const now = await get('availability');
    for (const t of now.gpuTypes) {
      const option = typeSelect.querySelector(`option[value="${CSS.escape(t.name)}"]`);
      if (option) option.textContent = `${t.name} (${t.freeGpus} free)`;
    }
  });
}

function extendDialogFor(after) {
  const hours = el('input', { type: 'number', min: 0.25, step: 0.25, value: 1, required: true });
  const error = el('p', { class: 'error', role: 'alert' });
  const title = el('h2', { id: 'extend-title', text: 'Extend' });
  let target = null;
  const confirmButton = el('button', { type: 'submit', text: 'Extend' });
  const form = el('form', { method: 'dialog' },
    title, field('extend-hours', 'More hours', hours), error,
    el('div', { class: 'actions' }, confirmButton,
      el('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Close')));
  const dialog = el('dialog', { 'aria-labelledby': 'extend-title', id: 'extend-dialog' }, form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const done = await post(`reservations/${target.id}/extend`, { hours: Number(hours.value) });
      announce(`${done.name} now runs ${done.hours} hours.`);
      dialog.close();
      await after();
    } catch (e) {
      error.textContent = errorText(e);
    }
  });
  dialog.openFor = (r) => {
    target = r;
    title.textContent = `Extend ${r.name}`;
    error.textContent = '';
    dialog.showModal();
    hours.focus();
  };
  return dialog;
}

export async function disksPage(main) {
  const list = el('div');
  const nameInput = el('input', { type: 'text', required: true, pattern: '[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?', autocomplete: 'off' });
  const size = el('input', { type: 'number', min: 1, placeholder: 'default' });
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'panel' },
    el('div', { class: 'fields' }, field('disk-name', 'Name', nameInput), field('disk-size', 'Size (GB)', size, '(optional)')),
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Create disk' }), error));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const body = { name: nameInput.value.trim() };
      if (size.value) body.sizeGb = Number(size.value);
      const disk = await post('disks', body);
      announce(`Disk ${disk.name} created.`);
      nameInput.value = '';
      size.value = '';
      await refresh();
    } catch (e) {
      error.textContent = errorText(e);
    }
  });
  main.append(
    el('h1', { text: 'Disks' }),
    el('p', { class: 'lead', text: 'Your home disks survive between reservations: released, they are kept as snapshots.' }),
    list, el('h2', { text: 'New disk' }), form);

  async function refresh() {
    const page = await get('disks');
    const rows = [];
    for (const d of page.items) {
      const snapshots = el('td', {}, el('button', {
        type: 'button', class: 'secondary', 'aria-label': `Show snapshots of ${d.name}`,
        onclick: async (event) => {
          const snaps = await get(`disks/${encodeURIComponent(d.name)}/snapshots`);
          event.target.replaceWith(snaps.length === 0 ? el('span', { text: 'none yet' })
            : el('ul', {}, snaps.map((s) => el('li', { text: `${s.snapshotName} · ${time(s.createdAt)} · ${s.ready ? 'ready' : 'in progress'}` }))));
        },
      }, 'Show'));
      rows.push(el('tr', { 'data-disk': d.name },
        el('th', { scope: 'row', text: d.name }),
        el('td', { class: 'num', text: `${d.sizeGb} GB` }),
        el('td', { class: d.inUseBy ? 'mono' : null, text: d.inUseBy ? d.inUseBy.slice(0, 8) : 'free' }),
        el('td', { text: d.lastSnapshotName || '—' }),
        snapshots,
        el('td', { text: time(d.createdAt) }),
        el('td', {}, d.inUseBy ? '' : el('button', {
          type: 'button', class: 'danger', 'aria-label': `Delete ${d.name}`,
          onclick: async () => {
            if (!confirm(`Delete disk ${d.name}? Its snapshots go after their retention.`)) return;
            try {
              await del(`disks/${encodeURIComponent(d.name)}`);
              announce(`Disk ${d.name} deleted.`);
              await refresh();
            } catch (e) {
              announce(errorText(e));
            }
          },
        }, 'Delete'))));
    }
    list.replaceChildren(table('Your disks', ['Name', { label: 'Size', num: true }, 'In use by', 'Last snapshot', 'Snapshots', 'Created', 'Actions'],
      rows, 'You have no disks yet; your first reservation creates "home".'));
  }
  await refresh();
}
