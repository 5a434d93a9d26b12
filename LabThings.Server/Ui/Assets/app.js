// The page's entry point: the list of Things, or one Thing's live page with ?thing={name}.

import { docs, h, request, root, sameOrigin } from './util.js';
import { offerSignIn } from './signin.js';
import { renderThing } from './thing.js';

const main = document.getElementById('main');
const status = document.getElementById('status');
const docsLink = document.getElementById('docs-link');
if (!docs) docsLink.parentElement.remove();

function fail(message) {
  status.textContent = message;
  status.classList.add('error');
}

async function renderIndex() {
  document.title = `Things · ${document.title}`;
  const list = await request('GET', new URL(`${root}things/`, location.origin).href);
  if (!list.ok || !list.data || typeof list.data !== 'object') {
    fail(`The list of Things could not be read: ${list.problem}`);
    return;
  }

  const names = Object.keys(list.data);
  const descriptions = await Promise.all(names.map(name => request('GET', sameOrigin(list.data[name], location.href))));
  offerSignIn(descriptions.filter(d => d.ok).map(d => d.data));
  const cards = names.map((name, index) => {
    const td = descriptions[index].ok ? descriptions[index].data : null;
    const count = (key, one, many) => {
      const n = Object.keys(td?.[key] || {}).length;
      return n ? `${n} ${n === 1 ? one : many}` : null;
    };
    const summary = td ? [count('properties', 'property', 'properties'), count('actions', 'action', 'actions'), count('events', 'event', 'events')] : [];
    return h('li', { class: 'card thing-card' },
      h('h2', {}, h('a', { href: `?thing=${encodeURIComponent(name)}`, text: td?.title || name })),
      h('p', { class: 'name' }, h('code', { text: name })),
      td?.description ? h('p', { text: td.description }) : null,
      td ? h('p', { class: 'summary', text: summary.filter(Boolean).join(' · ') }) : h('p', { class: 'error', text: descriptions[index].problem }));
  });

  status.textContent = names.length ? `${names.length} Thing${names.length === 1 ? '' : 's'} on this server.` : 'This server has no Things.';
  main.prepend(h('h1', { text: 'Things' }));
  main.append(h('ul', { class: 'things' }, cards));
}

const thing = new URLSearchParams(location.search).get('thing');
(thing ? renderThing(main, status, thing) : renderIndex()).catch(error => fail(`Something went wrong: ${error.message}`));
