import assert from "node:assert/strict";
import { functionPath } from "./function_path.ts";

const cases: [string, string][] = [
  ["http://h/tenant-data/rest/v1/accounts", "/rest/v1/accounts"],
  ["http://h/functions/v1/tenant-data/rest/v1/accounts", "/rest/v1/accounts"],
  ["http://h/tenant-data", "/"],
  ["http://h/tenant-data/", "/"],
  ["http://h/tenant-database/health", "/tenant-database/health"],
  ["http://h/health", "/health"],
];

for (const [url, expected] of cases) {
  Deno.test(`functionPath() maps ${new URL(url).pathname} to ${expected}`, () => {
    assert.equal(functionPath(new URL(url), "tenant-data"), expected);
  });
}
