// Small helpers shared by the page's modules: building elements, talking to the server, formatting values.

/** The server's root path (ends with "/"), and Swagger UI's path or "" when it is off; both set by the server. */
export const root = document.querySelector('meta[name="labthings-root"]')?.content || '/';
export const docs = document.querySelector('meta[name="labthings-docs"]')?.content || '';

let counter = 0;

// ---- Sign-in with a bearer token ---------------------------------------------------------------------------------
// The token a person pasted into the sign-in control is kept in this tab's sessionStorage: readable only by pages of
// this origin, gone when the tab closes, never sent by the browser on its own (unlike a cookie), and not shared with
// other tabs or kept on disk for the next person at the instrument (unlike localStorage).

const tokenKey = `labthings.token:${root}`;

/** The bearer token this tab signed in with, or null. */
export function bearerToken() {
  try {
    return sessionStorage.getItem(tokenKey);
  } catch {
    return null; // Storage is off: no sign-in.
  }
}

/** Keeps `token` for this tab, or forgets it (null). */
export function setBearerToken(token) {
  try {
    if (token) sessionStorage.setItem(tokenKey, token);
    else sessionStorage.removeItem(tokenKey);
  } catch {
    // Storage is off: the sign-in cannot be kept.
  }
}

/** The header that carries the sign-in, for a request to this server only (never to another origin). */
export function authHeaders(url) {
  const token = bearerToken();
  return token && new URL(url, location.href).origin === location.origin ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * The URL for an EventSource, which cannot send a header: with a token, it goes as `access_token`, which the server
 * accepts only on its observation endpoints (and the stream's); nothing else of the page puts it into a URL.
 */
export function eventSourceUrl(url) {
  const token = bearerToken();
  const target = new URL(url, location.href);
  if (!token || target.origin !== location.origin) return target.href;
  target.searchParams.set('access_token', token);
  return target.href;
}

/** `fetch` with the sign-in (same origin only). */
export function authorizedFetch(url, init = {}) {
  return fetch(url, { ...init, credentials: 'same-origin', headers: { ...(init.headers || {}), ...authHeaders(url) } });
}

let challenged = () => {};

/** Calls `listener(wwwAuthenticate, problem)` whenever the server answers one of the page's requests with 401. */
export function onChallenge(listener) {
  challenged = listener;
}

/** Reports a 401 answer to the sign-in control. */
export function reportChallenge(response, problem) {
  if (response.status === 401) challenged(response.headers.get('WWW-Authenticate') || '', problem);
}

/** A fresh id for linking labels and descriptions to controls. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Creates an element. `attrs`: `class`, `text`, `on<event>` handlers, boolean or string attributes (null or false
 * leaves one out). Children: nodes, strings, arrays of them, or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * A URL of this server for an href from a Thing Description: relative hrefs resolve against the TD's base, and
 * only the path is kept, so every request goes to the origin the page came from (and carries its sign-in).
 */
export function sameOrigin(href, base) {
  const url = new URL(href, new URL(base, location.href));
  return new URL(url.pathname + url.search, location.origin).href;
}

/**
 * Sends a request; a body is sent as JSON. Resolves to `{ ok, status, data, location, problem }`, where `data` is
 * the parsed JSON body (or null) and `problem` a sentence for people when the request failed. Never rejects.
 */
export async function request(method, url, body) {
  const init = { method, headers: { Accept: 'application/json, application/problem+json', ...authHeaders(url) }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return { ok: false, status: 0, data: null, location: null, problem: `The server could not be reached (${error.message}).` };
  }

  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }

  reportChallenge(response, data);
  return {
    ok: response.ok,
    status: response.status,
    data,
    location: response.headers.get('Location'),
    problem: response.ok ? null : (response.status === 401 ? 'Sign-in needed. ' : '') + describeProblem(data, response.status),
  };
}

/** One sentence (or a few) from RFC 9457 problem details, including each field's message for a 422. */
export function describeProblem(problem, status) {
  if (!problem || typeof problem !== 'object') {
    return `The server answered ${status}${problem ? `: ${problem}` : ''}.`;
  }

  const parts = [problem.detail || problem.title || `The server answered ${status}.`];
  if (Array.isArray(problem.errors)) {
    for (const error of problem.errors) {
      if (error?.message && !parts[0].includes(error.message)) {
        parts.push(error.field ? `${error.field}: ${error.message}` : error.message);
      }
    }
  }

  return parts.join(' ');
}

/** A value for people: numbers as they are with the unit, booleans as Yes/No, objects and arrays as JSON. */
export function formatValue(value, schema = {}) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') {
    const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
    return schema.unit ? `${text} ${schema.unit}` : text;
  }
  if (typeof value === 'string') return value;
  // A flat object (e.g. a position) reads better as "x 10 · y 0 · z 250" than as JSON.
  if (!Array.isArray(value) && Object.values(value).every(v => v === null || typeof v !== 'object')) {
    return Object.entries(value).map(([key, v]) => `${key} ${formatValue(v, schema.properties?.[key] || {})}`).join(' · ') || '{}';
  }
  return JSON.stringify(value);
}

/** The title a person should see for an affordance or a schema property. */
export function titleOf(affordance, name) {
  return affordance?.title || name;
}

/** A time for people (the local time of day, with seconds). */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}
