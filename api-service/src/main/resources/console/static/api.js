// The console's calls to its server. Tokens never come here: the session cookie is HttpOnly, and
// every state-changing call carries the session's CSRF token (the server also checks Origin).

let session = null;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.details = (body && body.details) || {};
  }
}

function signIn() {
  const next = location.pathname + location.search;
  location.assign('/login?next=' + encodeURIComponent(next));
}

export async function loadSession() {
  const response = await fetch('/console/api/session', {
    headers: { Accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    signIn();
    throw new ApiError(401, { message: 'signed out' });
  }
  if (!response.ok) {
    throw new ApiError(response.status, await response.json().catch(() => null));
  }
  session = await response.json();
  return session;
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = session.csrfToken;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path.startsWith('/') ? path : '/console/api/' + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    signIn();
    throw new ApiError(401, { message: 'Your session has ended; signing in again.' });
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = { message: `HTTP ${response.status}` };
  }
  if (!response.ok) {
    throw new ApiError(response.status, json);
  }
  return json;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
export const del = (path) => call('DELETE', path);

export async function logout() {
  const answer = await call('POST', '/logout');
  location.assign(answer.next || '/signed-out');
}
