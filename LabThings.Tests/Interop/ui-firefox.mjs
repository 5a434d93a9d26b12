// Drives the web page in Debian's Firefox ESR (headless, over WebDriver BiDi with puppeteer-core) through one scenario
// of FirefoxUiTests: `node ui-firefox.mjs <server base URL> <scenario> [bearer token]`. Waits for what a person would
// see (failing with a message when it does not appear) and prints what it saw as one JSON object, which the C# test
// checks together with the server's state. Requests to other origins and page errors are reported, not hidden.

import { readFile } from 'node:fs/promises';
import puppeteer from 'puppeteer-core';

const [base, scenario, token] = process.argv.slice(2);
const firefox = process.env.LABTHINGS_FIREFOX || '/usr/bin/firefox-esr';
const timeout = 15_000;
const origin = new URL(base).origin;
const started = Date.now();

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: firefox,
  headless: true,
  // No updates, telemetry or other traffic of Firefox's own: the test checks that the page itself stays on the server.
  extraPrefsFirefox: {
    'app.update.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'signon.rememberSignons': false,
  },
});

const seen = { browser: await browser.version(), foreign: [], errors: [], requests: [] };
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('request', request => {
    const url = request.url();
    seen.requests.push(url);
    if (!url.startsWith(`${origin}/`) && !url.startsWith(`blob:${origin}/`) && !url.startsWith('data:')) seen.foreign.push(url);
  });
  page.on('console', message => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  page.on('pageerror', error => seen.errors.push(String(error?.message ?? error)));

  const scenarios = { index, light, counter, camera, bearer };
  if (!scenarios[scenario]) throw new Error(`No scenario '${scenario}'; there are ${Object.keys(scenarios).join(', ')}.`);
  await scenarios[scenario](page);
} finally {
  await browser.close();
}

delete seen.requests;
console.log(JSON.stringify(seen));

// ---- Helpers ------------------------------------------------------------------------------------------------------

/** Notes a step on stderr, which the C# test shows when the script fails. */
function step(what) {
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}\n`);
}

async function open(page, query) {
  await page.goto(new URL(query, base).href);
  await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'Loading…', { timeout });
}

/** The element with this ARIA role and accessible name (the way assistive technology finds it). */
function byRole(page, role, name) {
  step(`find ${role} '${name}'`);
  return page.waitForSelector(`::-p-aria(${name}[role="${role}"])`, { timeout });
}

function text(page, selector) {
  return page.$eval(selector, el => el.textContent.trim());
}

/** Waits until the element's text is (or, with contains, includes) `expected`. */
async function waitForText(page, selector, expected, contains = false) {
  try {
    await page.waitForFunction((s, e, c) => {
      const t = document.querySelector(s)?.textContent.trim();
      return t !== undefined && (c ? t.includes(e) : t === e);
    }, { timeout }, selector, expected, contains);
  } catch {
    throw new Error(`'${selector}' should ${contains ? 'contain' : 'read'} '${expected}' but reads '${await text(page, selector).catch(() => '(missing)')}'.`);
  }
}

async function server(method, path, body) {
  const init = { method, headers: {} };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(new URL(path, base), init);
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  const answer = await response.text();
  return answer ? JSON.parse(answer) : null;
}

/** Runs axe-core in the page (put there by the driver, so the page's CSP still holds for its own scripts). */
async function accessibility(page) {
  step('axe-core');
  const axe = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  await page.evaluate(axe);
  const found = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
  });
  seen.axe = [...(seen.axe || []), ...found];
}

async function until(what, condition) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

// ---- Scenarios ----------------------------------------------------------------------------------------------------

async function index(page) {
  await open(page, '');
  await page.waitForSelector('.things > li h2 a', { timeout });
  seen.things = await page.$$eval('.things > li h2 a', links => links.map(a => a.textContent));
  await accessibility(page);
  seen.docs = await (await byRole(page, 'link', 'API documentation (Swagger UI)')).evaluate(a => a.getAttribute('href'));
  await Promise.all([page.waitForNavigation(), (await byRole(page, 'link', 'Light')).click()]);
  await byRole(page, 'heading', 'Light');
  seen.url = page.url();
}

async function light(page) {
  await open(page, '?thing=light');
  const shown = '[data-property=brightness] output.value';
  await waitForText(page, shown, '50 %');
  await accessibility(page);

  // Dragging the slider's thumb with the mouse writes the property when it is let go.
  const slider = await byRole(page, 'slider', 'Brightness');
  const box = await slider.boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.5, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.65, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.8, y, { steps: 5 });
  await page.mouse.up();
  seen.dragged = Number(await slider.evaluate(s => s.value));
  if (!(seen.dragged > 60)) throw new Error(`Dragging the slider to 80% of its width left it at ${seen.dragged}.`);
  await until(`the server's brightness is ${seen.dragged}`, async () => (await server('GET', 'light/brightness')) === seen.dragged);

  // The keyboard moves it too.
  await slider.press('ArrowLeft');
  seen.keyed = Number(await slider.evaluate(s => s.value));
  await until(`the server's brightness is ${seen.keyed}`, async () => (await server('GET', 'light/brightness')) === seen.keyed);

  // A change made over HTTP by another client appears without reloading, and the derived property follows.
  await server('PUT', 'light/brightness', 0);
  await waitForText(page, shown, '0 %');
  await waitForText(page, '[data-property=is_on] output.value', 'No');
  seen.afterHttp = await text(page, shown);

  // Out of range: the server's message appears next to the control.
  const field = await byRole(page, 'spinbutton', 'Brightness');
  await field.click({ count: 3 });
  await field.type('150');
  await field.press('Enter');
  await waitForText(page, '[data-property=brightness] .message.error', 'at most 100', true);
  seen.refusal = await text(page, '[data-property=brightness] .message.error');
  seen.final = await server('GET', 'light/brightness');
}

async function counter(page) {
  await open(page, '?thing=counter');
  await accessibility(page);
  const card = '[data-action=slowly_increase_counter]';
  for (const [name, value] of [['increments', '100'], ['interval', '0.1']]) {
    const input = await page.waitForSelector(`${card} ::-p-aria(${name}[role="spinbutton"])`, { timeout });
    await input.click({ count: 3 });
    await input.type(value);
  }
  await (await byRole(page, 'button', 'Slowly increase counter')).click();

  const progress = await byRole(page, 'progressbar', 'Slowly increase counter progress');
  await page.waitForFunction(p => p.hasAttribute('value') && p.value >= 0.05, { timeout }, progress);
  seen.progressFirst = await progress.evaluate(p => p.value);
  await page.waitForFunction((p, first) => p.value > first, { timeout }, progress, seen.progressFirst);
  seen.progressLater = await progress.evaluate(p => p.value);
  await waitForText(page, `${card} ol.log`, 'Counting up 100 times', true);
  seen.log = await page.$$eval(`${card} ol.log li`, items => items.map(li => li.textContent));

  await (await byRole(page, 'button', 'Cancel Slowly increase counter')).click();
  await waitForText(page, `${card} .state`, 'Slowly increase counter: cancelled');
  await waitForText(page, `${card} .result`, 'was cancelled', true);
  seen.state = await text(page, `${card} .state`);
  seen.count = await server('GET', 'counter/counter');
  await waitForText(page, '[data-property=counter] output.value', String(seen.count));

  await (await byRole(page, 'button', 'Increment counter')).click();
  await waitForText(page, '[data-action=increment_counter] .result output', String(seen.count + 1));
  seen.incremented = Number(await text(page, '[data-action=increment_counter] .result output'));
}

async function camera(page) {
  await open(page, '?thing=camera');
  await accessibility(page);
  await stream(page);
  await capture(page);

  await (await byRole(page, 'button', 'Snapshot of Stream')).click();
  const snapshot = await byRole(page, 'image', 'Snapshot of Stream');
  await page.waitForFunction(img => img.complete && img.naturalWidth > 0, { timeout }, snapshot);
  seen.snapshotWidth = await snapshot.evaluate(img => img.naturalWidth);

  const temperature = await byRole(page, 'spinbutton', 'temperature');
  await temperature.click({ count: 3 });
  await temperature.type('91.5');
  await (await byRole(page, 'button', 'Simulate overheat')).click();
  await waitForText(page, '.feed li:first-child', 'Overheated', true);
  await waitForText(page, '.feed li:first-child', '91.5', true);
  seen.event = await text(page, '.feed li:first-child');
}

async function stream(page) {
  const live = await byRole(page, 'image', 'Stream, live');
  await page.waitForFunction(img => img.naturalWidth > 0, { timeout }, live);
  seen.streamWidth = await live.evaluate(img => img.naturalWidth);
  // A second frame: the stream keeps playing (the page swaps frames in when it reads the stream itself).
  const first = await live.evaluate(img => img.currentSrc);
  seen.streamSrcIsBlob = first.startsWith('blob:');
  if (seen.streamSrcIsBlob) await page.waitForFunction((img, f) => img.currentSrc !== f && img.naturalWidth > 0, { timeout }, live, first);
}

async function capture(page) {
  await (await byRole(page, 'button', 'Capture jpeg')).click();
  const captured = await byRole(page, 'image', 'Output of Capture jpeg');
  await page.waitForFunction(img => img.complete && img.naturalWidth > 0, { timeout }, captured);
  seen.capturedHeight = await captured.evaluate(img => img.naturalHeight);
  seen.download = await page.$eval('[data-action=capture_jpeg] a[download]', a => a.getAttribute('href'));
}

async function bearer(page) {
  await open(page, '?thing=camera');
  // Firefox gives a password field no ARIA role (Chromium calls it a textbox): found by its label alone.
  step('find the Access token field');
  const input = await page.waitForSelector('::-p-aria(Access token)', { timeout });
  await accessibility(page);
  await input.type(token);
  await Promise.all([page.waitForNavigation(), (await byRole(page, 'button', 'Sign in')).click()]);
  await byRole(page, 'button', 'Sign out');
  await accessibility(page);
  await stream(page);
  await capture(page);
  seen.tokenInDom = await page.evaluate(t => document.documentElement.outerHTML.includes(t)
    || [...document.querySelectorAll('input')].some(i => i.value.includes(t)), token);
  seen.tokenInUrls = seen.requests.filter(url => url.includes(token)).map(url => new URL(url).pathname);
}
