// One Thing's page, built from its Thing Description and kept live: streams, properties, actions, an event feed and
// the description itself.

import { createEditor } from './forms.js';
import { playMjpeg } from './mjpeg.js';
import { lacksToken, offerSignIn } from './signin.js';
import {
  authorizedFetch, bearerToken, describeProblem, eventSourceUrl, formatTime, formatValue, h, reportChallenge, request, root,
  sameOrigin, titleOf, uid,
} from './util.js';

const finished = new Set(['completed', 'cancelled', 'error']);
const pollMilliseconds = 250;

/** Renders the Thing `name` into `main`; `status` is the page's status line. */
export async function renderThing(main, status, name) {
  const tdUrl = new URL(`${root}${encodeURIComponent(name)}/`, location.origin).href;
  const answer = await request('GET', tdUrl);
  if (!answer.ok || !answer.data || typeof answer.data !== 'object') {
    status.textContent = `The Thing '${name}' could not be read: ${answer.problem}`;
    status.classList.add('error');
    return;
  }

  const td = answer.data;
  offerSignIn([td]);
  const base = td.base || tdUrl;
  const url = href => sameOrigin(href, base);
  document.title = `${td.title || name} · ${document.title}`;

  const page = { td, name, url, refreshers: [] };
  const properties = Object.entries(td.properties || {});
  const streams = properties.filter(([, p]) => streamForm(p));
  const values = properties.filter(([, p]) => !streamForm(p));
  const uses = (td.links || []).filter(link => link.rel === 'uses');

  main.prepend(...[
    h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('a', { href: root, text: 'All Things' })),
    h('h1', { text: td.title || name }),
    td.description ? h('p', { class: 'lead', text: td.description }) : null,
    uses.length ? h('p', {}, 'Uses: ', uses.map((link, i) => [i ? ', ' : '', thingLink(link.href, base)])) : null,
  ].filter(Boolean));

  const layout = h('div', { class: 'layout' });
  main.append(layout);
  if (streams.length) layout.append(section('Streams', 'streams', streams.map(([n, p]) => streamCard(page, n, p))));
  if (values.length) layout.append(section('Properties', 'properties', values.map(([n, p]) => propertyCard(page, n, p))));
  const actions = Object.entries(td.actions || {});
  if (actions.length) layout.append(section('Actions', 'actions', actions.map(([n, a]) => actionCard(page, n, a))));
  const events = Object.entries(td.events || {});
  if (events.length) layout.append(eventFeed(page, events));
  main.append(descriptionSection(td));
  const count = (n, one, many) => (n ? `${n} ${n === 1 ? one : many}` : null);
  const live = properties.some(([, p]) => formsFor(p, 'observeproperty').some(f => f.subprotocol === 'sse'));
  status.textContent = [count(streams.length, 'stream', 'streams'), count(values.length, 'property', 'properties'),
    count(actions.length, 'action', 'actions'), count(events.length, 'event', 'events')].filter(Boolean).join(', ')
    + (live ? '; values marked live update as they change.' : '.');
}

function thingLink(href, base) {
  const path = new URL(href, new URL(base, location.href)).pathname.replace(/\/$/, '');
  const name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  return h('a', { href: `?thing=${encodeURIComponent(name)}`, text: name });
}

function section(title, key, cards) {
  const id = uid('section');
  return h('section', { class: `block ${key}`, 'aria-labelledby': id }, h('h2', { id, text: title }), h('div', { class: 'cards' }, cards));
}

function formsFor(affordance, op) {
  return (affordance.forms || []).filter(form => (Array.isArray(form.op) ? form.op : [form.op]).includes(op));
}

function streamForm(property) {
  return formsFor(property, 'observeproperty').find(form => (form.contentType || '').startsWith('multipart/x-mixed-replace'));
}

function card(kind, name, title, description, ...children) {
  const id = uid(kind);
  return h('article', { class: `card ${kind}`, [`data-${kind}`]: name, 'aria-labelledby': id },
    h('h3', { id, text: title }),
    description ? h('p', { class: 'description', text: description }) : null,
    children);
}

// ---- Streams ----------------------------------------------------------------------------------------------------

function streamCard(page, name, property) {
  const title = titleOf(property, name);
  const message = h('p', { class: 'error', role: 'alert' });
  const streamUrl = page.url(streamForm(property).href);
  // Signed in with a token, the page reads the stream itself and sends the token as a header; otherwise the browser
  // plays it in the <img> (with the sign-in it has, HTTP Basic included).
  const live = h('img', { class: 'stream', alt: `${title}, live` });
  if (bearerToken()) playMjpeg(live, streamUrl, text => { message.textContent = text; });
  else if (lacksToken(page.td, streamForm(property))) message.textContent = 'Sign in to see the stream.';
  else live.src = streamUrl;
  const snapshotForm = formsFor(property, 'readproperty').find(form => (form.contentType || '').startsWith('image/'));
  const viewer = (page.td.links || []).find(link => link.anchor === name && link.rel === 'alternate' && link.type === 'text/html');
  const shots = h('div', { class: 'snapshots', 'aria-live': 'polite' });
  async function snapshot() {
    message.textContent = '';
    const response = await authorizedFetch(page.url(snapshotForm.href)).catch(error => ({ ok: false, status: 0, error }));
    if (!response.ok) {
      if (!response.error) reportChallenge(response);
      message.textContent = response.error ? `The server could not be reached (${response.error.message}).` : describeProblem(await response.json().catch(() => null), response.status);
      return;
    }
    const blob = await response.blob();
    const src = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    shots.replaceChildren(h('figure', {},
      h('img', { src, alt: `Snapshot of ${title}` }),
      h('figcaption', {}, `Snapshot at ${new Date().toLocaleTimeString()} · `,
        h('a', { href: src, download: `${page.name}-${name}-${stamp}.jpg`, text: 'Download snapshot' }))));
  }

  return card('stream', name, title, property.description,
    h('div', { class: 'frame' }, live),
    h('div', { class: 'buttons' },
      snapshotForm ? h('button', { type: 'button', text: `Snapshot of ${title}`, onclick: snapshot }) : null,
      // The viewer would need the token in its address (browser history): not offered while signed in with one.
      viewer && !bearerToken() ? h('a', { href: page.url(viewer.href), text: 'Open viewer' }) : null),
    message, shots);
}

// ---- Properties -------------------------------------------------------------------------------------------------

function propertyCard(page, name, property) {
  const title = titleOf(property, name);
  const readForm = formsFor(property, 'readproperty').find(f => !f.contentType || f.contentType === 'application/json');
  const writeForm = formsFor(property, 'writeproperty')[0];
  const sseForm = formsFor(property, 'observeproperty').find(f => f.subprotocol === 'sse');
  const shown = h('output', { class: 'value', 'aria-label': `${title}, current value`, text: '…' });
  const message = h('p', { class: 'message', 'aria-live': 'polite' });
  let editor = null;

  function show(value) {
    shown.textContent = formatValue(value, property);
    if (editor && !editor.busy()) editor.set(value);
  }

  let readFailed = false;

  /** Reads the value; resolves to the answer's status (0 without a read form or a server). */
  async function read() {
    if (!readForm) return 0;
    const answer = await request('GET', page.url(readForm.href));
    if (answer.ok) {
      show(answer.data);
      if (readFailed) message.textContent = '';
      readFailed = false;
    } else {
      // The value is unknown; why goes where messages go (the sign-in control says how to sign in).
      shown.textContent = '—';
      message.textContent = answer.status === 401 ? 'Sign in to see this value.' : answer.problem;
      message.className = 'message error';
      readFailed = true;
    }
    return answer.status;
  }

  async function write(value) {
    message.textContent = 'Saving…';
    message.className = 'message';
    const answer = await request(writeForm['htv:methodName'] || 'PUT', page.url(writeForm.href), value);
    if (answer.ok) {
      message.textContent = '';
      if (!sseForm) await read();
      refreshAll(page);
    } else {
      message.textContent = answer.problem;
      message.className = 'message error';
    }
  }

  const parts = [h('p', { class: 'current' }, h('span', { class: 'label', text: 'Now: ' }), shown,
    sseForm ? h('span', { class: 'badge', text: 'live', title: 'Updated as it changes' }) : null)];
  if (writeForm && !property.readOnly) {
    const scalar = ['number', 'integer', 'boolean', 'string'].includes(property.type) || Array.isArray(property.enum);
    editor = createEditor(property, title, { onCommit: scalar ? write : null });
    const describedBy = uid('msg');
    message.id = describedBy;
    parts.push(editor.element);
    if (!scalar) {
      parts.push(h('div', { class: 'buttons' }, h('button', {
        type: 'button', text: `Set ${title}`,
        onclick: () => {
          try {
            write(editor.get());
          } catch (error) {
            message.textContent = error.message;
            message.className = 'message error';
          }
        },
      })));
    }
  }

  if (!sseForm && readForm) {
    parts.push(h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'secondary', text: `Read ${title}`, onclick: read })));
    page.refreshers.push(read);
  }

  function follow() {
    const source = new EventSource(eventSourceUrl(page.url(sseForm.href)));
    source.addEventListener('message', event => {
      try {
        show(JSON.parse(event.data));
      } catch {
        // A comment or a value that is not JSON: nothing to show.
      }
    });
  }

  // Followed once the first read shows it may be (no event stream that is bound to be refused).
  read().then(status => {
    if (sseForm && status !== 401 && status !== 403) follow();
  });
  const element = card('property', name, title, property.description, parts, message);
  if (property.readOnly) element.classList.add('read-only');
  return element;
}

let refreshTimer = null;

/** Reads again every property that is not observed (after a write or an action, functional ones may have changed). */
function refreshAll(page) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => page.refreshers.forEach(read => read()), 100);
}

// ---- Actions ----------------------------------------------------------------------------------------------------

function actionCard(page, name, action) {
  const title = titleOf(action, name);
  const invokeForms = formsFor(action, 'invokeaction');
  const invokeForm = invokeForms.find(f => !f.href.endsWith('/sync')) || invokeForms[0];
  const input = action.input;
  let editor = null;
  const fields = [];
  if (input && input.type === 'object' && input.properties) {
    const required = new Set(input.required || []);
    editor = {
      parts: Object.entries(input.properties).map(([key, schema]) => {
        const child = createEditor(schema, schema.title || key, { optional: !required.has(key) });
        if (schema.default !== undefined) child.set(schema.default);
        fields.push(child.element);
        return { key, child };
      }),
      get() {
        const value = {};
        for (const { key, child } of this.parts) {
          const item = child.get();
          if (item !== undefined) value[key] = item;
        }
        return value;
      },
    };
  } else if (input) {
    const child = createEditor(input, `${title} input`, {});
    if (input.default !== undefined) child.set(input.default);
    fields.push(child.element);
    editor = { get: () => child.get() };
  }

  const state = h('p', { class: 'state', role: 'status' });
  const progress = h('progress', { max: 1, 'aria-label': `${title} progress` });
  const log = h('ol', { class: 'log', 'aria-label': `${title} log` });
  const cancel = h('button', { type: 'button', class: 'danger', text: `Cancel ${title}` });
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const run = h('div', { class: 'run', hidden: true }, state, progress, log, h('div', { class: 'buttons' }, cancel), result);
  const recent = h('ol', { class: 'recent' });
  const message = h('p', { class: 'message error', role: 'alert' });
  let current = null;

  cancel.addEventListener('click', async () => {
    if (!current) return;
    cancel.disabled = true;
    const answer = await request('DELETE', current);
    if (!answer.ok && answer.status !== 409) message.textContent = answer.problem;
  });

  async function submit(event) {
    event.preventDefault();
    message.textContent = '';
    let body = {};
    try {
      if (editor) body = editor.get();
    } catch (error) {
      message.textContent = error.message;
      return;
    }

    const answer = await request('POST', page.url(invokeForm.href), body);
    if (!answer.ok) {
      message.textContent = answer.problem;
      return;
    }

    const location = answer.location || answer.data?.href;
    current = page.url(location);
    run.hidden = false;
    result.replaceChildren();
    log.replaceChildren();
    cancel.disabled = false;
    cancel.hidden = false;
    await follow(answer.data);
  }

  async function follow(invocation) {
    const mine = current;
    for (;;) {
      showInvocation(invocation);
      if (finished.has(invocation.status)) break;
      await new Promise(resolve => setTimeout(resolve, pollMilliseconds));
      if (mine !== current) return;
      const answer = await request('GET', mine);
      if (!answer.ok) {
        state.textContent = `Could not follow the invocation: ${answer.problem}`;
        return;
      }
      invocation = answer.data;
    }

    cancel.hidden = true;
    result.replaceChildren(outcome(page, title, action, invocation));
    refreshAll(page);
    loadRecent();
  }

  function showInvocation(invocation) {
    state.textContent = `${title}: ${invocation.status}`;
    state.dataset.status = invocation.status;
    if (typeof invocation.progress === 'number') progress.value = invocation.progress;
    else if (invocation.status === 'completed') progress.value = 1;
    else progress.removeAttribute('value');
    const lines = invocation.log || [];
    for (let i = log.children.length; i < lines.length; i += 1) {
      log.append(h('li', { class: `level-${(lines[i].levelname || '').toLowerCase()}` },
        h('time', { text: formatTime(lines[i].created) }), ' ', lines[i].message));
    }
    cancel.disabled = finished.has(invocation.status);
  }

  async function loadRecent() {
    const answer = await request('GET', page.url(invokeForm.href));
    if (!answer.ok || !Array.isArray(answer.data)) return;
    const items = answer.data
      .slice()
      .sort((a, b) => String(b.timeRequested).localeCompare(String(a.timeRequested)))
      .slice(0, 5)
      .map(inv => h('li', {},
        h('time', { text: formatTime(inv.timeRequested) }), ' ',
        h('span', { class: `status status-${inv.status}`, text: inv.status }),
        inv.status === 'completed' && inv.output !== null && inv.output !== undefined ? [' → ', summary(inv.output)] : null,
        inv.error ? [' — ', inv.error.detail || inv.error.title || ''] : null));
    recent.replaceChildren(...items);
  }

  loadRecent();
  const form = h('form', { class: 'action-form', onsubmit: submit }, fields, h('div', { class: 'buttons' }, h('button', { type: 'submit', text: title })));
  return card('action', name, title, action.description, form, message, run,
    h('details', { class: 'history' }, h('summary', { text: 'Recent invocations' }), recent));
}

function isBlob(value) {
  return value && typeof value === 'object' && typeof value.href === 'string' && typeof value.media_type === 'string';
}

function summary(output) {
  if (isBlob(output)) return blobLink(sameOrigin(output.href, location.href), null, `download (${output.media_type})`);
  const text = typeof output === 'object' ? JSON.stringify(output) : formatValue(output);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * A link to a blob of this server. Signed in with a token, following it would arrive without the token, so a click
 * fetches the blob with it and saves it from memory instead.
 */
function blobLink(href, filename, text) {
  const link = h('a', { href, download: filename, text });
  if (bearerToken()) {
    link.addEventListener('click', async event => {
      event.preventDefault();
      const response = await authorizedFetch(href).catch(() => null);
      if (!response?.ok) {
        link.textContent = `${text}: could not be downloaded${response ? ` (${response.status})` : ''}`;
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const save = h('a', { href: url, download: filename || href.slice(href.lastIndexOf('/') + 1) });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
  }
  return link;
}

/** What an invocation ended with: its output (an image, a download, or a value), or why it did not finish. */
function outcome(page, title, action, invocation) {
  if (invocation.status === 'error') {
    return h('div', { class: 'failure', role: 'alert' }, h('strong', { text: 'Failed: ' }),
      invocation.error ? describeProblem(invocation.error, 500) : 'the action failed.');
  }
  if (invocation.status === 'cancelled') {
    return h('p', { class: 'cancelled', text: `${title} was cancelled.` });
  }

  const output = invocation.output;
  if (output === null || output === undefined) return h('p', { text: `${title} finished.` });
  if (isBlob(output)) {
    const href = sameOrigin(output.href, location.href);
    const extension = output.media_type.split('/')[1]?.replace('jpeg', 'jpg') || 'bin';
    const download = blobLink(href, `${page.name}-${invocation.id}.${extension}`, `Download (${output.media_type})`);
    if (output.media_type.startsWith('image/')) {
      const image = h('img', { alt: `Output of ${title}` });
      if (!bearerToken()) {
        image.src = href;
      } else {
        // An <img> cannot send the token: fetch the blob with it and show it from memory.
        authorizedFetch(href).then(async response => {
          if (!response.ok) throw new Error(`the server answered ${response.status}`);
          image.src = URL.createObjectURL(await response.blob());
        }).catch(error => { image.alt = `Output of ${title} (could not be loaded: ${error.message})`; });
      }
      return h('figure', { class: 'output' }, image, h('figcaption', {}, download));
    }
    return h('p', { class: 'output' }, download);
  }
  if (typeof output === 'object') {
    return h('div', { class: 'output' }, h('span', { class: 'label', text: 'Output: ' }), h('pre', { text: JSON.stringify(output, null, 2) }));
  }
  return h('p', { class: 'output' }, h('span', { class: 'label', text: 'Output: ' }), h('output', { text: formatValue(output, action.output || {}) }));
}

// ---- Events -----------------------------------------------------------------------------------------------------

function eventFeed(page, events) {
  const feed = h('ol', { class: 'feed', role: 'log', 'aria-label': 'Event feed' });
  const empty = h('p', { class: 'empty', text: 'No events yet. New ones appear here, newest first.' });
  for (const [name, event] of events) {
    const form = formsFor(event, 'subscribeevent').find(f => f.subprotocol === 'sse');
    if (!form) continue;
    if (lacksToken(page.td, form)) {
      empty.textContent = 'Sign in to follow the events.';
      continue;
    }
    const source = new EventSource(eventSourceUrl(page.url(form.href)));
    source.addEventListener('message', message => {
      let payload = message.data;
      try {
        payload = JSON.parse(message.data);
      } catch {
        // Shown as it came.
      }
      empty.remove();
      feed.prepend(h('li', { 'data-event': name },
        h('time', { text: new Date().toLocaleTimeString() }), ' ', h('strong', { text: titleOf(event, name) }),
        payload === null || payload === undefined || payload === '' ? null
          : h('pre', { text: typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2) })));
      while (feed.children.length > 100) feed.lastElementChild.remove();
    });
    source.addEventListener('error', () => {
      // Closed for good: the server refused (e.g. not signed in); a dropped connection is retried by the browser.
      if (source.readyState === EventSource.CLOSED && empty.isConnected) {
        empty.textContent = 'The events cannot be followed: the server refused (sign in if it asks you to).';
      }
    });
  }

  const id = uid('section');
  return h('section', { class: 'block events', 'aria-labelledby': id },
    h('h2', { id, text: 'Events' }),
    h('p', { class: 'description', text: events.map(([n, e]) => `${titleOf(e, n)}${e.description ? `: ${e.description}` : ''}`).join(' · ') }),
    empty, feed);
}

// ---- The Thing Description --------------------------------------------------------------------------------------

function descriptionSection(td) {
  const text = JSON.stringify(td, null, 2);
  const copied = h('span', { class: 'message', 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button', class: 'secondary', text: 'Copy Thing Description',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        copied.textContent = 'Copied.';
      } catch {
        // Without clipboard access (an insecure origin), select the text so the person can copy it.
        const range = document.createRange();
        range.selectNodeContents(raw);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        raw.closest('details').open = true;
        copied.textContent = 'Selected: press Ctrl+C to copy.';
      }
    },
  });
  const raw = h('pre', { class: 'raw', text });
  // The tree is built when it is first opened (a large TD is a thousand elements, which slows every page-wide
  // accessibility query, e.g. a screen reader's list of buttons, while it is hidden anyway).
  return h('section', { class: 'block td', 'aria-label': 'Thing Description' },
    lazyDetails(h('summary', {}, h('h2', { text: 'Thing Description' })), () => [
      h('div', { class: 'buttons' }, copy, copied),
      tree(td, 0),
      h('details', {}, h('summary', { text: 'As JSON text' }), raw)]));
}

/** A <details> whose content is made by `build` when it is first opened. */
function lazyDetails(summary, build, open = false) {
  const details = h('details', {}, summary);
  let built = false;
  const fill = () => {
    if (built || !details.open) return;
    built = true;
    details.append(...[build()].flat());
  };
  details.addEventListener('toggle', fill);
  if (open) {
    details.open = true;
    fill();
  }
  return details;
}

function tree(value, depth) {
  if (value === null || typeof value !== 'object') {
    return h('span', { class: `json ${value === null ? 'null' : typeof value}`, text: JSON.stringify(value) });
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return h('ul', { class: 'tree' }, entries.map(([key, child]) => {
    if (child !== null && typeof child === 'object') {
      const size = Array.isArray(child) ? `[${child.length}]` : `{${Object.keys(child).length}}`;
      const summary = h('summary', {}, h('span', { class: 'key', text: String(key) }), ' ', h('span', { class: 'size', text: size }));
      return h('li', {}, lazyDetails(summary, () => tree(child, depth + 1), depth < 1));
    }
    return h('li', {}, h('span', { class: 'key', text: String(key) }), ': ', tree(child, depth + 1));
  }));
}
