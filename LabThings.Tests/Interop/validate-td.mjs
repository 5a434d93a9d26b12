// Validates Thing Descriptions against the official W3C TD 1.1 JSON Schema with ajv, the validator
// the W3C's own TD tooling uses. Reads a JSON array of documents on stdin; writes a JSON array with,
// for each document, the list of its errors (empty when valid).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);
const schemaPath = require.resolve("wot-thing-description-types/schema/td-json-schema-validation.json");
const schema = JSON.parse(readFileSync(schemaPath, "utf8"));

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const documents = JSON.parse(readFileSync(0, "utf8"));
const results = documents.map((doc) =>
  validate(doc) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`));
process.stdout.write(JSON.stringify(results));
