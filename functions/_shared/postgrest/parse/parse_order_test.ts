import assert from "node:assert/strict";
import { parseOrder } from "./parse_order.ts";
import type { OrderTerm } from "./request.ts";
import { QuerySyntaxError } from "./syntax_error.ts";
import { field, idx, key } from "../testdata/helpers.ts";

function term(
  name: string,
  direction: OrderTerm["direction"] = null,
  nulls: OrderTerm["nulls"] = null,
): OrderTerm {
  return { kind: "field", relation: null, field: field(name), direction, nulls };
}

const accepted: [name: string, input: string, expected: OrderTerm[]][] = [
  ["a column", "id", [term("id")]],
  ["asc and desc", "last_name.asc,created_at.desc", [term("last_name", "asc"), term("created_at", "desc")]],
  ["nulls first and last", "a.nullsfirst,b.desc.nullslast", [
    term("a", null, "first"),
    term("b", "desc", "last"),
  ]],
  ["supabase-js' order", "last_name.asc,created_at.desc.nullsfirst", [
    term("last_name", "asc"),
    term("created_at", "desc", "first"),
  ]],
  ["spaces around terms", " a.asc , b ", [term("a", "asc"), term("b")]],
  ["a JSON path", "data->>name.desc,data->0", [
    {
      kind: "field",
      relation: null,
      field: field("data", key("->>", "name")),
      direction: "desc",
      nulls: null,
    },
    { kind: "field", relation: null, field: field("data", idx("->", 0)), direction: null, nulls: null },
  ]],
  ["a related column", "account(name).desc.nullslast", [
    { kind: "relation", relation: "account", field: field("name"), direction: "desc", nulls: "last" },
  ]],
  ["a quoted column", '"a.b".asc', [term("a.b", "asc")]],
];

for (const [name, input, expected] of accepted) {
  Deno.test(`parseOrder() parses ${name}`, () => {
    assert.deepEqual(parseOrder(input), expected);
  });
}

const rejected: [name: string, input: string, message: string][] = [
  ["an empty value", "", "Cannot parse order: unexpected end of input at position 1"],
  [
    "a misspelt direction",
    "id.ac",
    "Cannot parse order: expected asc, desc, nullsfirst or nullslast at position 4",
  ],
  [
    "a longer direction",
    "id.descc",
    "Cannot parse order: expected asc, desc, nullsfirst or nullslast at position 4",
  ],
  ["a misspelt nulls", "id.asc.nlsfst", "Cannot parse order: expected nullsfirst or nullslast at position 8"],
  ["nulls before the direction", "id.nullsfirst.asc", 'Cannot parse order: unexpected "." at position 14'],
  ["two columns in a relation", "clients(name,id)", 'Cannot parse order: expected ")" at position 13'],
  ["a trailing comma", "id,", "Cannot parse order: unexpected end of input at position 4"],
  ["SQL text", "id;drop table x", 'Cannot parse order: unexpected ";" at position 3'],
];

for (const [name, input, message] of rejected) {
  Deno.test(`parseOrder() rejects ${name}`, () => {
    assert.throws(() => parseOrder(input), (err: unknown) => {
      assert.ok(err instanceof QuerySyntaxError);
      assert.equal(err.message, message);
      return true;
    });
  });
}
