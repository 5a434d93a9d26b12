// Interoperability check with Eclipse Thingweb node-wot (@node-wot/core + @node-wot/binding-http): consumes
// every Thing Description a running example server lists at /things/ and uses it the way any WoT consumer
// would, through the forms node-wot picks itself (no formIndex). Usage: node wot-client.mjs <server base URL>
// Writes a JSON summary on stdout; exits with 1 (and the reason on stderr) when any check fails.
import nodeWotCore from "@node-wot/core";
import nodeWotHttp from "@node-wot/binding-http";

import interactionOutput from "@node-wot/core/dist/interaction-output.js";

const { Servient } = nodeWotCore;
const { HttpClientFactory } = nodeWotHttp;

// Strict output checking: node-wot validates an action's value() against the TD's output schema only for actions
// marked synchronous; here it always does, so an output that breaks its schema fails the check.
interactionOutput.ActionInteractionOutput.prototype.ignoreValidation = () => false;

const baseArgument = process.argv[2];
if (!baseArgument) {
  process.stderr.write("usage: node wot-client.mjs <server base URL>\n");
  process.exit(2);
}
const base = baseArgument.endsWith("/") ? baseArgument : baseArgument + "/";

const failures = [];
const summary = { base, things: {}, checks: {}, knownIssues: [], failures };

function fail(message) {
  failures.push(message);
}

function check(condition, message) {
  if (!condition) fail(message);
  return condition;
}

function describe(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function fetchJson(path) {
  const response = await fetch(new URL(path, base), { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return response.json();
}

/** The output of the newest invocation of an action, as the server's own (non-WoT) invocation list shows it. */
async function latestInvocationOutput(thing, action) {
  const invocations = await fetchJson(`${thing}/${action}`);
  if (!Array.isArray(invocations) || invocations.length === 0) throw new Error(`GET ${thing}/${action} listed no invocations`);
  const latest = invocations.reduce((a, b) => (String(b.timeRequested) > String(a.timeRequested) ? b : a));
  return latest.output;
}

/** The form node-wot uses for an operation: the first one whose op includes it (ConsumedThing.findForm). */
function firstForm(affordance, op) {
  return affordance.forms.find((f) => (Array.isArray(f.op) ? f.op : [f.op]).includes(op));
}

function isJson(contentType) {
  const mediaType = (contentType ?? "application/json").split(";")[0].trim().toLowerCase();
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

async function waitFor(condition, milliseconds) {
  const deadline = Date.now() + milliseconds;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`nothing arrived within ${milliseconds} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function readValue(thing, name) {
  const output = await thing.readProperty(name);
  return output.value();
}

const servient = new Servient();
servient.addClientFactory(new HttpClientFactory());
const WoT = await servient.start();

try {
  const list = await fetchJson("things/");
  check(typeof list === "object" && list !== null && Object.keys(list).length > 0, "/things/ listed no Things");

  const consumed = {};
  const descriptions = {};
  for (const [name, tdUrl] of Object.entries(list)) {
    const entry = { td: tdUrl, properties: {} };
    summary.things[name] = entry;
    try {
      // node-wot's own TD download: it validates the TD against the TD JSON Schema (isThingDescription).
      const td = await WoT.requestThingDescription(tdUrl);
      descriptions[name] = td;
      consumed[name] = await WoT.consume(td);
      entry.title = consumed[name].title;
    } catch (error) {
      fail(`${name}: could not request or consume the TD at ${tdUrl}: ${describe(error)}`);
      continue;
    }

    // Every readable property, through the form node-wot picks for readproperty.
    for (const [propertyName, property] of Object.entries(consumed[name].properties)) {
      const form = firstForm(property, "readproperty");
      if (property.writeOnly === true || form === undefined) continue;
      const result = { href: form.href, contentType: form.contentType ?? "application/json" };
      entry.properties[propertyName] = result;
      try {
        const output = await consumed[name].readProperty(propertyName);
        result.value = await output.value();
        check(result.value !== undefined, `${name}.${propertyName}: node-wot read no value`);
        if (!isJson(form.contentType)) {
          // Not JSON (the camera's stream: a JPEG snapshot). The data schema (a string) lets value() answer; node-wot's
          // image/jpeg codec hands the body over as an ASCII string (it expects base64 text), so the bytes themselves
          // come from arrayBuffer() on a second read.
          check(typeof result.value === "string" && result.value.length > 0,
            `${name}.${propertyName}: value() gave ${typeof result.value}, expected a string as the data schema says`);
          result.value = `(a string of ${result.value.length} characters)`;
          const bytes = Buffer.from(await (await consumed[name].readProperty(propertyName)).arrayBuffer());
          result.bytes = bytes.length;
          result.firstBytes = bytes.subarray(0, 2).toString("hex");
          if (result.contentType.startsWith("image/jpeg")) {
            check(bytes.length > 2 && bytes[0] === 0xff && bytes[1] === 0xd8,
              `${name}.${propertyName}: expected a JPEG (FF D8), got ${bytes.length} bytes starting ${result.firstBytes}`);
          }
        }
      } catch (error) {
        fail(`${name}.${propertyName}: readProperty failed: ${describe(error)}`);
      }
    }
  }

  const { light, camera, counter } = consumed;

  // Write a property and read it back.
  if (check(light !== undefined, "no Thing 'light'")) {
    const result = {};
    summary.checks.lightBrightness = result;
    try {
      await light.writeProperty("brightness", 37);
      result.written = 37;
      result.readBack = await readValue(light, "brightness");
      check(result.readBack === 37, `light.brightness: wrote 37, read back ${JSON.stringify(result.readBack)}`);
      result.isOn = await readValue(light, "is_on");
      check(result.isOn === true, `light.is_on: expected true at brightness 37, got ${JSON.stringify(result.isOn)}`);
      try {
        await light.writeProperty("brightness", 150);
        result.outOfRange = "accepted";
        fail("light.brightness: writing 150 (maximum 100) did not fail");
      } catch (error) {
        result.outOfRange = describe(error);
      }
      result.afterOutOfRange = await readValue(light, "brightness");
      check(result.afterOutOfRange === 37, `light.brightness: ${JSON.stringify(result.afterOutOfRange)} after a refused write, expected 37`);
    } catch (error) {
      fail(`light.brightness: ${describe(error)}`);
    }
  }

  if (check(camera !== undefined, "no Thing 'camera'")) {
    const result = {};
    summary.checks.cameraFrameRate = result;
    try {
      await camera.writeProperty("frame_rate", 12.5);
      result.written = 12.5;
      result.readBack = await readValue(camera, "frame_rate");
      check(result.readBack === 12.5, `camera.frame_rate: wrote 12.5, read back ${JSON.stringify(result.readBack)}`);
    } catch (error) {
      fail(`camera.frame_rate: ${describe(error)}`);
    }
  }

  // Actions: node-wot must get the action's output itself (not an invocation object), through the form it picks.
  if (check(counter !== undefined, "no Thing 'counter'")) {
    const result = {};
    summary.checks.incrementCounter = result;
    try {
      const before = await readValue(counter, "counter");
      const output = await counter.invokeAction("increment_counter");
      result.form = output.form?.href;
      result.returned = await output.value();
      result.counterAfter = await readValue(counter, "counter");
      result.invocationOutput = await latestInvocationOutput("counter", "increment_counter");
      check(Number.isInteger(result.returned), `counter.increment_counter returned ${JSON.stringify(result.returned)}, not an integer`);
      check(result.returned === before + 1, `counter.increment_counter returned ${JSON.stringify(result.returned)}, expected ${before + 1}`);
      check(result.returned === result.counterAfter, `counter.increment_counter returned ${JSON.stringify(result.returned)} but the counter reads ${result.counterAfter}`);
      check(result.returned === result.invocationOutput,
        `counter.increment_counter returned ${JSON.stringify(result.returned)} but the invocation's output is ${JSON.stringify(result.invocationOutput)}`);
    } catch (error) {
      fail(`counter.increment_counter: ${describe(error)}`);
    }

    const slow = {};
    summary.checks.slowlyIncreaseCounter = slow;
    try {
      const before = await readValue(counter, "counter");
      const output = await counter.invokeAction("slowly_increase_counter", { increments: 2, interval: 0.05 });
      slow.form = output.form?.href;
      slow.returned = await output.value();
      slow.counterAfter = await readValue(counter, "counter");
      slow.invocationOutput = await latestInvocationOutput("counter", "slowly_increase_counter");
      check(slow.returned === before + 2, `counter.slowly_increase_counter returned ${JSON.stringify(slow.returned)}, expected ${before + 2}`);
      check(slow.returned === slow.counterAfter, `counter.slowly_increase_counter returned ${JSON.stringify(slow.returned)} but the counter reads ${slow.counterAfter}`);
      check(slow.returned === slow.invocationOutput,
        `counter.slowly_increase_counter returned ${JSON.stringify(slow.returned)} but the invocation's output is ${JSON.stringify(slow.invocationOutput)}`);
    } catch (error) {
      fail(`counter.slowly_increase_counter: ${describe(error)}`);
    }
  }

  if (camera !== undefined) {
    const size = {};
    summary.checks.nextFrameSize = size;
    try {
      const output = await camera.invokeAction("next_frame_size");
      size.form = output.form?.href;
      size.returned = await output.value();
      size.invocationOutput = await latestInvocationOutput("camera", "next_frame_size");
      check(Number.isInteger(size.returned) && size.returned > 0, `camera.next_frame_size returned ${JSON.stringify(size.returned)}, not a positive integer`);
      check(size.returned === size.invocationOutput,
        `camera.next_frame_size returned ${JSON.stringify(size.returned)} but the invocation's output is ${JSON.stringify(size.invocationOutput)}`);
    } catch (error) {
      fail(`camera.next_frame_size: ${describe(error)}`);
    }

    // A blob output: the first form answers with the output its schema describes, the blob's link; checked strictly.
    // The second form (response.contentType image/jpeg) answers with the bytes themselves.
    const capture = {};
    summary.checks.captureJpeg = capture;
    try {
      const output = await camera.invokeAction("capture_jpeg");
      capture.form = output.form?.href;
      const link = await output.value();
      capture.returned = link;
      check(typeof link?.href === "string" && link.media_type === "image/jpeg",
        `camera.capture_jpeg returned ${JSON.stringify(link)}, expected a blob link {href, media_type: "image/jpeg"}`);
      const download = await fetch(new URL(link.href, base));
      const bytes = Buffer.from(await download.arrayBuffer());
      capture.bytes = bytes.length;
      capture.firstBytes = bytes.subarray(0, 2).toString("hex");
      check(download.ok && bytes.length > 2 && bytes[0] === 0xff && bytes[1] === 0xd8,
        `camera.capture_jpeg: the blob at ${link.href} is not a JPEG (${bytes.length} bytes starting ${capture.firstBytes})`);
      const kept = await latestInvocationOutput("camera", "capture_jpeg");
      capture.invocationOutput = kept;
      check(kept?.href === link.href, `camera.capture_jpeg returned ${link.href} but the invocation's output is ${JSON.stringify(kept)}`);

      const forms = descriptions.camera.actions.capture_jpeg.forms;
      const bytesForm = forms.findIndex((f) => f.response?.contentType === "image/jpeg");
      capture.bytesFormIndex = bytesForm;
      if (check(bytesForm >= 0, "camera.capture_jpeg: no form answers with image/jpeg")) {
        const raw = await camera.invokeAction("capture_jpeg", undefined, { formIndex: bytesForm });
        const image = Buffer.from(await raw.arrayBuffer());
        capture.bytesFormFirstBytes = image.subarray(0, 2).toString("hex");
        check(image.length > 2 && image[0] === 0xff && image[1] === 0xd8,
          `camera.capture_jpeg (form ${bytesForm}): expected a JPEG, got ${image.length} bytes starting ${capture.bytesFormFirstBytes}`);
      }
    } catch (error) {
      fail(`camera.capture_jpeg: ${describe(error)}`);
    }
  }

  // Observation through the TD alone: node-wot picks the first observeproperty / subscribeevent form,
  // which is Server-Sent Events (subprotocol "sse").
  if (light) {
    const observed = { form: firstForm(descriptions.light.properties.brightness, "observeproperty")?.subprotocol, values: [] };
    summary.checks.observeBrightness = observed;
    try {
      const subscription = await light.observeProperty("brightness", async (output) => {
        observed.values.push(await output.value());
      });
      for (const value of [11, 22, 33]) {
        await light.writeProperty("brightness", value);
      }
      await waitFor(() => observed.values.length >= 3, 5000);
      await subscription.stop();
      check(JSON.stringify(observed.values.slice(-3)) === "[11,22,33]",
        `light.brightness observation saw ${JSON.stringify(observed.values)}, expected the writes 11, 22, 33 in order`);
    } catch (error) {
      fail(`light.brightness observation: ${describe(error)}`);
    }
  }

  if (camera) {
    const received = { form: firstForm(descriptions.camera.events.overheated, "subscribeevent")?.subprotocol, events: [] };
    summary.checks.subscribeOverheated = received;
    try {
      const subscription = await camera.subscribeEvent("overheated", async (output) => {
        received.events.push(await output.value());
      });
      await camera.invokeAction("simulate_overheat", { temperature: 91.5 });
      await waitFor(() => received.events.length >= 1, 5000);
      await subscription.stop();
      const event = received.events[0];
      check(event?.temperature === 91.5 && typeof event?.message === "string",
        `camera.overheated delivered ${JSON.stringify(event)}, expected {temperature: 91.5, message: …}`);
    } catch (error) {
      fail(`camera.overheated subscription: ${describe(error)}`);
    }
  }
} catch (error) {
  fail(`unexpected: ${describe(error)}`);
} finally {
  await servient.shutdown().catch(() => {});
}

process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
if (failures.length > 0) {
  process.stderr.write(`node-wot interop: ${failures.length} failure(s):\n${failures.map((f) => "  - " + f).join("\n")}\n`);
  process.exit(1);
}
