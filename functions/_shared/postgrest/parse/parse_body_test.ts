import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { parseBody, type ParseBodyOptions } from "./parse_body.ts";
import type { Payload } from "./request.ts";

const encoder = new TextEncoder();

function body(text: string, options: ParseBodyOptions): Payload {
  return parseBody(encoder.encode(text), options);
}

const accepted: [name: string, text: string, options: ParseBodyOptions, expected: Payload][] = [
  ["an object to insert", '{"first_name":"Ada","last_name":"Lovelace"}', { target: "insert" }, {
    kind: "object",
    value: { first_name: "Ada", last_name: "Lovelace" },
    keys: ["first_name", "last_name"],
    raw: '{"first_name":"Ada","last_name":"Lovelace"}',
  }],
  ["an array with the same keys", '[{"a":1,"b":2},{"b":3,"a":4}]', { target: "insert" }, {
    kind: "array",
    value: [{ a: 1, b: 2 }, { b: 3, a: 4 }],
    keys: ["a", "b"],
    raw: '[{"a":1,"b":2},{"b":3,"a":4}]',
  }],
  ["an array with different keys and columns", '[{"first_name":"A"},{"email":"b@x"}]', {
    target: "insert",
    columns: ["first_name", "email"],
  }, {
    kind: "array",
    value: [{ first_name: "A" }, { email: "b@x" }],
    keys: ["first_name", "email"],
    raw: '[{"first_name":"A"},{"email":"b@x"}]',
  }],
  ["an empty array", "[]", { target: "insert" }, { kind: "array", value: [], keys: [], raw: "[]" }],
  ["an update", '{"last_name":"Byron"}', { target: "update" }, {
    kind: "object",
    value: { last_name: "Byron" },
    keys: ["last_name"],
    raw: '{"last_name":"Byron"}',
  }],
  ["RPC arguments", '{"q":"ada"}', { target: "rpc" }, {
    kind: "object",
    value: { q: "ada" },
    keys: ["q"],
    raw: '{"q":"ada"}',
  }],
  ["an RPC array, for a function of one unnamed json parameter", '[{"a":1}]', { target: "rpc" }, {
    kind: "array",
    value: [],
    keys: [],
    raw: '[{"a":1}]',
  }],
  ["an empty RPC body as no arguments", "", { target: "rpc" }, {
    kind: "object",
    value: {},
    keys: [],
    raw: "{}",
  }],
  ["a byte order mark", '\uFEFF{"a":1}', { target: "insert" }, {
    kind: "object",
    value: { a: 1 },
    keys: ["a"],
    raw: '{"a":1}',
  }],
  ["keys that look dangerous", '{"__proto__":1,"constructor":2,"a\\u0000b":3}', { target: "insert" }, {
    kind: "object",
    value: JSON.parse('{"__proto__":1,"constructor":2,"a\\u0000b":3}'),
    keys: ["__proto__", "constructor", "a\u0000b"],
    raw: '{"__proto__":1,"constructor":2,"a\\u0000b":3}',
  }],
];

for (const [name, text, options, expected] of accepted) {
  Deno.test(`parseBody() accepts ${name}`, () => {
    assert.deepEqual(body(text, options), expected);
  });
}

Deno.test("parseBody() keeps every digit of a big number in raw", () => {
  const text = '{"id":12345678901234567890,"n":0.1000000000000000000001}';
  const payload = body(text, { target: "insert" });
  assert.equal(payload.raw, text);
});

const rejected: [name: string, bytes: Uint8Array, options: ParseBodyOptions, message: string][] = [
  ["invalid JSON", encoder.encode("{nope"), { target: "insert" }, "Cannot parse body: invalid JSON"],
  ["an empty insert", encoder.encode(""), { target: "insert" }, "Cannot parse body: it is empty"],
  ["a blank update", encoder.encode("  \n"), { target: "update" }, "Cannot parse body: it is empty"],
  [
    "invalid UTF-8",
    new Uint8Array([0x7b, 0xff, 0x7d]),
    { target: "insert" },
    "Cannot parse body: it is not valid UTF-8",
  ],
  [
    "a string",
    encoder.encode('"x"'),
    { target: "insert" },
    "Cannot parse body: expected a JSON object or an array of objects",
  ],
  [
    "null",
    encoder.encode("null"),
    { target: "insert" },
    "Cannot parse body: expected a JSON object or an array of objects",
  ],
  [
    "an array of numbers",
    encoder.encode("[1]"),
    { target: "insert" },
    "Cannot parse body: element 0 of the array is not a JSON object",
  ],
  [
    "a nested array",
    encoder.encode('[{"a":1},[]]'),
    { target: "insert" },
    "Cannot parse body: element 1 of the array is not a JSON object",
  ],
  [
    "an array update",
    encoder.encode('[{"a":1}]'),
    { target: "update" },
    "Cannot parse body: an update must be one JSON object",
  ],
  [
    "objects with different keys",
    encoder.encode('[{"a":1},{"b":2}]'),
    { target: "insert" },
    "Cannot parse body: all object keys must match",
  ],
  [
    "objects with more keys",
    encoder.encode('[{"a":1},{"a":1,"b":2}]'),
    { target: "insert" },
    "Cannot parse body: all object keys must match",
  ],
  [
    "objects with fewer keys",
    encoder.encode('[{"a":1,"b":2},{"a":1}]'),
    { target: "insert" },
    "Cannot parse body: all object keys must match",
  ],
];

for (const [name, bytes, options, message] of rejected) {
  Deno.test(`parseBody() rejects ${name} with 400 PGRST102`, () => {
    assert.throws(() => parseBody(bytes, options), (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.deepEqual([err.code, err.status, err.message], ["PGRST102", 400, message]);
      return true;
    });
  });
}

Deno.test("parseBody() says which element has other keys", () => {
  assert.throws(() => body('[{"a":1},{"a":1},{"a":1,"b":2}]', { target: "insert" }), {
    details: 'Element 2 differs from element 0 in key "b"',
  });
});

Deno.test("parseBody() handles 100 000 levels of nesting without crashing", () => {
  const deep = '{"a":' + "[".repeat(100_000) + "]".repeat(100_000) + "}";
  try {
    const payload = body(deep, { target: "insert" });
    assert.equal(payload.kind, "object");
  } catch (err) {
    assert.ok(err instanceof PostgrestError && err.code === "PGRST102", String(err));
  }
});
