// A Thing exposed by Eclipse Thingweb node-wot (@node-wot/core + @node-wot/binding-http), so the .NET client can be
// tested against a TD that LabThings did not write. Usage: node wot-servient.mjs
// Listens on 127.0.0.1 on a free port, prints {"td": <URL of the Thing's TD>} as one line on stdout, and runs until
// its stdin closes. The Thing: a writable property "count", an observable read-only property "temperature", an
// action "add" ({a, b} -> a + b), an action "heat" (raises the temperature, emits "alarm") and the event "alarm".
import net from "node:net";
import nodeWotCore from "@node-wot/core";
import nodeWotHttp from "@node-wot/binding-http";

const { Servient } = nodeWotCore;
const { HttpServer } = nodeWotHttp;

const port = await new Promise((resolve, reject) => {
  const probe = net.createServer();
  probe.on("error", reject);
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

const servient = new Servient();
servient.addServer(new HttpServer({ port, address: "127.0.0.1", baseUri: `http://127.0.0.1:${port}` }));
const WoT = await servient.start();

let count = 0;
let temperature = 20;
const thing = await WoT.produce({
  title: "interop-thing",
  description: "A node-wot Thing for the LabThings .NET client tests",
  properties: {
    count: { type: "integer", observable: false },
    temperature: { type: "number", observable: true, readOnly: true, unit: "°C" },
  },
  actions: {
    add: {
      input: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
      output: { type: "number" },
    },
    heat: { input: { type: "number" }, output: { type: "number" } },
  },
  events: {
    alarm: { data: { type: "object", properties: { level: { type: "number" } } } },
  },
});

thing.setPropertyReadHandler("count", async () => count);
thing.setPropertyWriteHandler("count", async (value) => {
  count = await value.value();
});
thing.setPropertyReadHandler("temperature", async () => temperature);
thing.setActionHandler("add", async (parameters) => {
  const { a, b } = await parameters.value();
  return a + b;
});
thing.setActionHandler("heat", async (parameters) => {
  temperature += await parameters.value();
  await thing.emitPropertyChange("temperature");
  thing.emitEvent("alarm", { level: temperature });
  return temperature;
});
await thing.expose();

// node-wot serves the TD at /{slug of the title}; fetch it once so a broken start fails here, not in the test.
const td = `http://127.0.0.1:${port}/interop-thing`;
const check = await fetch(td);
if (!check.ok) throw new Error(`GET ${td} answered ${check.status}`);
process.stdout.write(JSON.stringify({ td }) + "\n");

process.stdin.on("end", async () => {
  await servient.shutdown().catch(() => {});
  process.exit(0);
});
process.stdin.resume();
