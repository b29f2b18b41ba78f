// The admin API from the browser: bearer token from sessionStorage, JSON in and out, errors as
// ApiError with the server's code, problems and conflict details.

const TOKEN_KEY = 'hf-admin-token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `HTTP_${status}`;
    this.problems = error.problems || null;
    this.conflict = error.conflict || null;
  }
}

let onUnauthorized = () => {};
/** Called when the token is refused (401), e.g. to show the login form again. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function api(method, path, body) {
  const headers = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const error = new ApiError(res.status, json);
    if (res.status === 401) onUnauthorized(error);
    throw error;
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const del = (path) => api('DELETE', path);
export const flowPath = (flowId, rest = '') => `/api/flows/${encodeURIComponent(flowId)}${rest}`;
