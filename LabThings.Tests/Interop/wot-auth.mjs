// Eclipse node-wot against a server that asks for credentials: consumes two Things' TDs (readable by anyone) and
// tries each kind of operation, with the credentials given on stdin ({"username","password"} or {"token"}) or
// without any (stdin "null").
// Usage: node wot-auth.mjs <TD URL> <property to read, write, observe> <value to write> <TD URL> <action to invoke>
// Writes a JSON object on stdout: the TD's security, and per operation {ok: true, value} or {ok: false, error}.
import nodeWotCore from "@node-wot/core";
import nodeWotHttp from "@node-wot/binding-http";

const { Servient } = nodeWotCore;
const { HttpClientFactory } = nodeWotHttp;
const [tdUrl, property, valueText, actionTdUrl, action] = process.argv.slice(2);

let input = "";
for await (const chunk of process.stdin) input += chunk;
const credentials = JSON.parse(input || "null");

const servient = new Servient();
servient.addClientFactory(new HttpClientFactory());
const WoT = await servient.start();
const result = {};

async function attempt(name, operation) {
  try {
    result[name] = { ok: true, value: await operation() };
  } catch (error) {
    result[name] = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

try {
  const td = await WoT.requestThingDescription(tdUrl);
  const actionTd = await WoT.requestThingDescription(actionTdUrl);
  result.security = td.security;
  result.securityDefinitions = td.securityDefinitions;
  if (credentials !== null) servient.addCredentials({ [td.id]: credentials, [actionTd.id]: credentials });
  const thing = await WoT.consume(td);
  const actionThing = await WoT.consume(actionTd);
  await attempt("read", async () => (await thing.readProperty(property)).value());
  await attempt("write", async () => {
    await thing.writeProperty(property, JSON.parse(valueText));
    return (await thing.readProperty(property)).value();
  });
  await attempt("readAll", async () => {
    const values = await thing.readAllProperties();
    const result = {};
    for (const [name, output] of values) result[name] = await output.value();
    return result;
  });
  await attempt("invoke", async () => {
    const output = await actionThing.invokeAction(action);
    return output === undefined ? null : output.value();
  });
  await attempt("observe", async () => {
    const seen = [];
    // node-wot's long-poll handshake (a HEAD) gives up after 1 s, which a loaded test machine can exceed: try thrice.
    let subscription;
    for (let attempt = 1; subscription === undefined; attempt++) {
      try {
        subscription = await thing.observeProperty(property, async (output) => seen.push(await output.value()));
      } catch (error) {
        if (attempt === 3 || !String(error?.message ?? error).includes("timeout")) throw error;
      }
    }
    // Long polling may subscribe a moment after observeProperty resolves (its HEAD handshake resolves it): change
    // the value until a notification arrives.
    const deadline = Date.now() + 5000;
    for (let step = 1; seen.length === 0 && Date.now() < deadline; step++) {
      await thing.writeProperty(property, JSON.parse(valueText) - (step % 2) - 1);
      await new Promise((r) => setTimeout(r, 100));
    }
    await subscription.stop();
    if (seen.length === 0) throw new Error("no notification within 5 s");
    return seen;
  });
} catch (error) {
  result.failed = error instanceof Error ? error.message : String(error);
} finally {
  await servient.shutdown();
}
process.stdout.write(JSON.stringify(result));
process.exit(0);
