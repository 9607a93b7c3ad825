import assert from "node:assert/strict";
import { ERROR_CODES, type ErrorLayer, isErrorCode, RETIRED_CODES } from "./error_codes.ts";

const LAYER_OF_PREFIX: [RegExp, ErrorLayer[]][] = [
  [/^PGRST0\d\d$/, ["connection"]],
  [/^PGRST1\d\d$/, ["request"]],
  [/^PGRST2\d\d$/, ["schema-cache"]],
  [/^PGRST3\d\d$/, ["jwt"]],
  [/^PGRSTX\d\d$/, ["internal"]],
  [/^TR4\d\d$/, ["tenancy", "request"]],
  [/^TR5\d\d$/, ["data-source"]],
  [/^TR0\d\d$/, ["auth"]],
  [/^TR6\d\d$/, ["admin"]],
];

Deno.test("ERROR_CODES never lists a retired code", () => {
  assert.deepEqual(Object.keys(ERROR_CODES).filter((code) => Object.hasOwn(RETIRED_CODES, code)), []);
});

Deno.test("RETIRED_CODES keeps PostgREST's retired numbers", () => {
  for (const code of ["PGRST104", "PGRST109", "PGRST110", "PGRST113", "PGRST119"]) {
    assert.ok(Object.hasOwn(RETIRED_CODES, code), code);
    assert.ok(!isErrorCode(code), code);
  }
});

Deno.test("every code sits in its layer's range, with a valid status and a message", () => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    const range = LAYER_OF_PREFIX.find(([pattern]) => pattern.test(code));
    assert.ok(range, `${code} is in no range`);
    assert.ok(range[1].includes(info.layer), `${code} is in layer ${info.layer}`);
    assert.ok(Number.isInteger(info.status) && info.status >= 300 && info.status <= 599, code);
    assert.ok(info.message.length > 0 && !info.message.endsWith(" "), code);
  }
});

const POSTGREST_STATUSES: [code: string, status: number][] = [
  ["PGRST000", 503],
  ["PGRST003", 504],
  ["PGRST100", 400],
  ["PGRST101", 405],
  ["PGRST102", 400],
  ["PGRST103", 416],
  ["PGRST105", 405],
  ["PGRST106", 406],
  ["PGRST107", 406],
  ["PGRST108", 400],
  ["PGRST116", 406],
  ["PGRST117", 405],
  ["PGRST118", 400],
  ["PGRST120", 400],
  ["PGRST122", 400],
  ["PGRST123", 400],
  ["PGRST124", 400],
  ["PGRST125", 404],
  ["PGRST200", 400],
  ["PGRST201", 300],
  ["PGRST202", 404],
  ["PGRST203", 300],
  ["PGRST204", 400],
  ["PGRST205", 404],
  ["PGRST300", 500],
  ["PGRST301", 401],
  ["PGRST302", 401],
  ["PGRST303", 401],
  ["PGRSTX00", 500],
];

for (const [code, status] of POSTGREST_STATUSES) {
  Deno.test(`ERROR_CODES answers ${code} with PostgREST's ${status}`, () => {
    assert.ok(isErrorCode(code));
    assert.equal(ERROR_CODES[code].status, status);
  });
}

const OURS: [code: string, status: number][] = [
  ["TR401", 400],
  ["TR403", 403],
  ["TR413", 413],
  [
    "TR503",
    503,
  ],
  ["TR504", 503],
  ["TR506", 503],
];

for (const [code, status] of OURS) {
  Deno.test(`ERROR_CODES answers the gateway's ${code} with ${status}`, () => {
    assert.ok(isErrorCode(code));
    assert.equal(ERROR_CODES[code].status, status);
  });
}

Deno.test("the data-source codes always carry a Retry-After", () => {
  assert.ok(ERROR_CODES.TR503.retryAfter > 0);
  assert.ok(ERROR_CODES.TR504.retryAfter > 0);
  assert.ok(ERROR_CODES.TR506.retryAfter > 0);
});

Deno.test("TR403's message does not tell an unknown tenant from a forbidden one", () => {
  assert.equal(ERROR_CODES.TR403.message, "Cannot access tenant: it does not exist or you are not a member");
});

Deno.test("isErrorCode() knows table codes only", () => {
  assert.ok(isErrorCode("TR403"));
  assert.ok(!isErrorCode("23505"));
  assert.ok(!isErrorCode("toString"));
  assert.ok(!isErrorCode("__proto__"));
});
