import assert from "node:assert/strict";
import type { ApiRequest, LogicFilter, Payload } from "./request.ts";

// request.ts holds types only; these values check at compile time that the model describes what the
// parsers produce, and that its absent parts are null rather than undefined.
const request: ApiRequest = {
  method: "POST",
  action: "create",
  resource: { kind: "table", name: "contacts" },
  schema: "public",
  query: {
    select: [{ kind: "star" }],
    filters: [],
    logic: [],
    order: [],
    ranges: [],
    onConflict: ["email"],
    columns: null,
    rpcArgs: [],
  },
  preferences: {
    return: "representation",
    count: null,
    resolution: "merge-duplicates",
    missing: null,
    handling: null,
    tx: null,
    maxAffected: null,
    params: null,
    timezone: null,
    invalid: [],
  },
  accept: { media: "object", stripNulls: false },
  range: null,
  body: {
    kind: "object",
    value: { email: "a@b.c", tags: ["x"], n: 1, ok: true, none: null },
    keys: ["email"],
    raw: "{}",
  },
};

Deno.test("the request model is plain data that survives a JSON round trip", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(request)), request);
});

Deno.test("a logic filter's root is always an and/or node", () => {
  const logic: LogicFilter = {
    path: [],
    tree: { kind: "logic", operator: "or", negated: false, children: [] },
  };
  assert.equal(logic.tree.kind, "logic");
  const payload: Payload = { kind: "array", value: [], keys: [], raw: "[]" };
  assert.equal(payload.kind, "array");
});
