// Validates an OpenAPI document with @apidevtools/swagger-parser: against the official OpenAPI JSON Schema of its
// version, and for what a schema cannot check (every $ref resolves, operation ids are unique, path parameters are
// declared). Reads the document on stdin; writes a JSON array of errors (empty when valid).
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";

const document = JSON.parse(readFileSync(0, "utf8"));
try {
  await SwaggerParser.validate(document);
  process.stdout.write("[]");
} catch (error) {
  const details = Array.isArray(error.details) ? error.details.map((d) => `${(d.instancePath ?? d.path ?? "")} ${d.message}`) : [];
  process.stdout.write(JSON.stringify([error.message, ...details]));
}
