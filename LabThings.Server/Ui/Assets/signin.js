// The sign-in control in the page's header. With a bearer token: a password field to paste the token into, checked
// with the server before it is kept (in this tab's sessionStorage, see util.js), and Sign out. With HTTP Basic the
// browser asks for the user name and password itself; the control only says so when the person dismissed that prompt.

import { bearerToken, h, onChallenge, root, setBearerToken, uid } from './util.js';

const slot = document.getElementById('signin');
let offered = false;
let formMessage = null;
onChallenge(challenge);
if (bearerToken()) showSignedIn();

/** The security schemes a Thing Description asks for (e.g. 'basic', 'bearer'; 'combo' resolved to its parts). */
export function schemesOf(td) {
  const definitions = td?.securityDefinitions || {};
  const schemes = new Set();
  const visit = (name, depth) => {
    const definition = definitions[name];
    if (!definition || depth > 4) return;
    if (definition.scheme === 'combo') [...(definition.oneOf || []), ...(definition.allOf || [])].forEach(n => visit(n, depth + 1));
    else schemes.add(definition.scheme);
  };
  [].concat(td?.security || []).forEach(name => visit(name, 0));
  return schemes;
}

/**
 * Whether using `form` needs a bearer token that this tab does not have: its security (the form's own, else the
 * TD's) takes nothing else (no anonymous access, no HTTP Basic, which the browser may hold).
 */
export function lacksToken(td, form) {
  if (bearerToken()) return false;
  const own = { ...td, security: form?.security ?? td?.security };
  const schemes = schemesOf(own);
  return schemes.size > 0 && [...schemes].every(scheme => scheme === 'bearer');
}

/** Shows the token field when a Thing takes bearer tokens and this tab has not signed in. */
export function offerSignIn(tds) {
  if (!bearerToken() && !offered && tds.some(td => schemesOf(td).has('bearer'))) showForm('');
}

function challenge(wwwAuthenticate) {
  const bearer = /\bbearer\b/i.test(wwwAuthenticate);
  if (offered) {
    if (bearer && formMessage && !formMessage.textContent) formMessage.textContent = 'Sign in to use this server: paste an access token.';
    return;
  }
  if (bearer) {
    if (bearerToken()) {
      setBearerToken(null);
      showForm('The server no longer accepts your token (it may have expired): sign in again.');
    } else {
      showForm('Sign in to use this server: paste an access token.');
    }
  } else if (/\bbasic\b/i.test(wwwAuthenticate)) {
    // The browser asked for a user name and password; the person dismissed it (or it was wrong).
    offered = true;
    slot.replaceChildren(h('p', { class: 'signin-note', role: 'status' },
      'Sign-in needed: the browser asks for your user name and password. ',
      h('button', { type: 'button', class: 'secondary', text: 'Sign in', onclick: () => location.reload() })));
    slot.hidden = false;
  }
}

function showForm(reason) {
  offered = true;
  const id = uid('token');
  const input = h('input', { type: 'password', id, name: 'access-token', autocomplete: 'off', spellcheck: 'false' });
  const message = h('p', { class: 'message error', role: 'alert', text: reason });
  formMessage = message;
  const submit = h('button', { type: 'submit', text: 'Sign in' });
  const insecure = window.isSecureContext ? null
    : h('p', { class: 'hint', text: 'This connection is not encrypted: anyone on the network can read a token sent over it.' });

  async function signIn(event) {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      message.textContent = 'Paste an access token first.';
      return;
    }

    submit.disabled = true;
    message.textContent = '';
    const problem = await check(token);
    submit.disabled = false;
    if (problem) {
      message.textContent = problem;
      input.focus();
      return;
    }

    input.value = '';
    setBearerToken(token);
    location.reload(); // Every request, event source and stream starts again with the token.
  }

  slot.replaceChildren(h('form', { class: 'signin-form', 'aria-label': 'Sign in with an access token', onsubmit: signIn },
    h('label', { for: id, text: 'Access token' }), input, submit, message, insecure));
  slot.hidden = false;
}

/** Asks the server whether it accepts `token`: null when it does, otherwise a sentence for the person. */
async function check(token) {
  let response;
  try {
    // Listing one's own invocations needs nothing but valid credentials, and changes nothing.
    response = await fetch(new URL(`${root}action_invocations`, location.origin), {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json, application/problem+json' },
      credentials: 'same-origin',
    });
  } catch (error) {
    return `The server could not be reached (${error.message}).`;
  }

  if (response.ok || response.status === 403) return null;
  const problem = await response.json().catch(() => null);
  if (response.status === 401) {
    return `The server did not accept this token. ${problem?.detail || ''}`.trim();
  }
  return `The token could not be checked: the server answered ${response.status}${problem?.detail ? ` (${problem.detail})` : ''}.`;
}

function showSignedIn() {
  const claims = claimsOf(bearerToken());
  const who = typeof claims?.sub === 'string' ? ` as ${claims.sub}` : '';
  const until = typeof claims?.exp === 'number' ? new Date(claims.exp * 1000) : null;
  slot.replaceChildren(h('div', { class: 'signin-state' },
    h('span', { text: `Signed in${who} with a token${until ? `, valid until ${until.toLocaleTimeString()}` : ''}.` }),
    h('button', {
      type: 'button', class: 'secondary', text: 'Sign out',
      onclick: () => {
        setBearerToken(null);
        location.reload();
      },
    })));
  slot.hidden = false;
  if (until) {
    // Past its expiry the server refuses the token: say so at once rather than at the next failed request.
    const left = until.getTime() - Date.now();
    setTimeout(() => {
      setBearerToken(null);
      showForm('Your token has expired: sign in again.');
    }, Math.max(0, Math.min(left, 2 ** 31 - 1)));
  }
}

/** The claims of a JSON Web Token (not checked: only to show whose it is), or null for another kind of token. */
function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')), c => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}
