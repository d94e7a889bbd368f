// api.js - the service's JSON API (docs/api.md) from the browser: the session
// cookie goes by itself (same origin, HttpOnly); the CSRF token from the login
// answer is kept in memory only and sent on every POST and DELETE.

let csrf = null;
let onAuthLost = () => {};

export function setCsrf(token) { csrf = token; }
// For a request api() cannot make (an upload with progress, upload.js).
export function csrfToken() { return csrf; }
export function setAuthLost(f) { onAuthLost = f; }

export class ApiError extends Error {
  constructor(status, code, title) {
    super(code);
    this.status = status;
    this.code = code;
    this.title = title;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch('/api/v1/' + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', '');
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = new ApiError(res.status, (data && data.code) || 'HTTP_' + res.status, (data && data.title) || '');
    if (res.status === 401 && path !== 'session') onAuthLost(err);
    throw err;
  }
  return data;
}

export const seg = encodeURIComponent;
