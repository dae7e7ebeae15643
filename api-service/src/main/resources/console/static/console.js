// The console's entry point: loads the session, marks the current page and draws it.
import { loadSession, logout } from './api.js';
import { availabilityPage, disksPage, reservationsPage } from './pages.js';
import { allReservationsPage, auditPage, usersPage } from './admin.js';
import { el } from './dom.js';

const pages = {
  '/': ['Availability', availabilityPage],
  '/reservations': ['My reservations', reservationsPage],
  '/disks': ['Disks', disksPage],
  '/admin/reservations': ['All reservations', allReservationsPage],
  '/admin/audit': ['Audit log', auditPage],
  '/admin/users': ['Users', usersPage],
};

async function start() {
  const main = document.getElementById('main');
  const session = await loadSession();
  document.getElementById('who').textContent = session.admin ? `${session.username} (admin)` : session.username;
  for (const item of document.querySelectorAll('.admin-only')) item.hidden = !session.admin;
  for (const link of document.querySelectorAll('.top nav a')) {
    if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
  }
  document.getElementById('logout').addEventListener('click', logout);
  const [title, draw] = pages[location.pathname] || ['Not found', async (m) => m.append(el('h1', { text: 'No such page' }))];
  document.title = `${title} · ODC`;
  main.replaceChildren();
  await draw(main, session);
  document.body.dataset.ready = 'true';
}

start().catch((e) => {
  const main = document.getElementById('main');
  main.replaceChildren(el('h1', { text: 'Something went wrong' }), el('p', { class: 'error', text: e.message }));
});
