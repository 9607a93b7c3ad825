import assert from "node:assert/strict";
import { parseFilter } from "./parse_filter.ts";
import type { Filter, Operation } from "./request.ts";
import { QuerySyntaxError } from "./syntax_error.ts";
import { cmp, field, filter, idx, key } from "../testdata/helpers.ts";

const operations: [value: string, expected: Operation][] = [
  ["eq.7b0c8d52-0000-4000-8000-000000000001", cmp("eq", "7b0c8d52-0000-4000-8000-000000000001")],
  ["neq.lost", cmp("neq", "lost")],
  ["gt.10", cmp("gt", "10")],
  ["gte.11", cmp("gte", "11")],
  ["lt.1000", cmp("lt", "1000")],
  ["lte.999", cmp("lte", "999")],
  ["like.%@acme.test", cmp("like", "%@acme.test")],
  ["like.*@acme.test", cmp("like", "%@acme.test")],
  ["ilike.o'br*", cmp("ilike", "o'br%")],
  ["match.^a.*b$", cmp("match", "^a.*b$")],
  ["imatch.^A", cmp("imatch", "^A")],
  ["cs.{vip}", cmp("cs", "{vip}")],
  ["cd.{vip,b2b}", cmp("cd", "{vip,b2b}")],
  ['cs.{"country":"DE"}', cmp("cs", '{"country":"DE"}')],
  ["ov.[1,5)", cmp("ov", "[1,5)")],
  ["sl.(1,2)", cmp("sl", "(1,2)")],
  ["sr.(1,2)", cmp("sr", "(1,2)")],
  ["nxr.(1,2)", cmp("nxr", "(1,2)")],
  ["nxl.(1,2)", cmp("nxl", "(1,2)")],
  ["adj.(1,2)", cmp("adj", "(1,2)")],
  ["eq(any).{a,b}", cmp("eq", "{a,b}", "any")],
  ["like(all).{a*,*b}", cmp("like", "{a%,%b}", "all")],
  ["is.null", { kind: "is", value: "null" }],
  ["is.NULL", { kind: "is", value: "null" }],
  ["is.not_null", { kind: "is", value: "not_null" }],
  ["is.true", { kind: "is", value: "true" }],
  ["is.False", { kind: "is", value: "false" }],
  ["is.unknown", { kind: "is", value: "unknown" }],
  ["isdistinct.x", { kind: "isdistinct", value: "x" }],
  ["in.(a,b)", { kind: "in", values: ["a", "b"] }],
  ['in.(a,"b,c",d"e)', { kind: "in", values: ["a", "b,c", 'd"e'] }],
  ['in.("Smith","Doe")', { kind: "in", values: ["Smith", "Doe"] }],
  ['in.("a\\"b","c\\\\d","e)f")', { kind: "in", values: ['a"b', "c\\d", "e)f"] }],
  ['in.("ab"c)', { kind: "in", values: ['"ab"c'] }],
  ["in.( a, b )", { kind: "in", values: ["a", " b "] }],
  ["in.()", { kind: "in", values: [] }],
  ['in.("")', { kind: "in", values: [""] }],
  ["in.(,)", { kind: "in", values: ["", ""] }],
  ["fts.cat", { kind: "fts", operator: "fts", config: null, value: "cat" }],
  ["plfts.fat cat", { kind: "fts", operator: "plfts", config: null, value: "fat cat" }],
  ["phfts(simple).fat cat", { kind: "fts", operator: "phfts", config: "simple", value: "fat cat" }],
  ["wfts(english).'fat' & 'cat'", {
    kind: "fts",
    operator: "wfts",
    config: "english",
    value: "'fat' & 'cat'",
  }],
  ["eq.", cmp("eq", "")],
  ["eq.a.b.c", cmp("eq", "a.b.c")],
  ["eq.(x)", cmp("eq", "(x)")],
];

for (const [value, operation] of operations) {
  Deno.test(`parseFilter() parses ${value}`, () => {
    assert.deepEqual(parseFilter("c", value), filter("c", operation));
  });
}

const keys: [name: string, key: string, value: string, expected: Filter][] = [
  ["not. before the operator", "email", "not.is.null", filter("email", { kind: "is", value: "null" }, true)],
  ["not. before in", "id", "not.in.(1,2)", filter("id", { kind: "in", values: ["1", "2"] }, true)],
  ["an embedded resource's column", "contacts.email", "eq.a@b.c", {
    path: ["contacts"],
    field: field("email"),
    negated: false,
    operation: cmp("eq", "a@b.c"),
  }],
  ["a nested embed path", "a.b.c", "eq.1", {
    path: ["a", "b"],
    field: field("c"),
    negated: false,
    operation: cmp("eq", "1"),
  }],
  ["a JSON path", "address->>city", "eq.Berlin", {
    path: [],
    field: field("address", key("->>", "city")),
    negated: false,
    operation: cmp("eq", "Berlin"),
  }],
  ["a JSON path with an index on an embed", "contacts.data->0->>n", "gt.1", {
    path: ["contacts"],
    field: field("data", idx("->", 0), key("->>", "n")),
    negated: false,
    operation: cmp("gt", "1"),
  }],
  ["a quoted column", '"my.col"', "eq.1", filter("my.col", cmp("eq", "1"))],
  ["a unicode column and value", "größe", "eq.naïve 😀", filter("größe", cmp("eq", "naïve 😀"))],
];

for (const [name, k, v, expected] of keys) {
  Deno.test(`parseFilter() parses ${name}`, () => {
    assert.deepEqual(parseFilter(k, v), expected);
  });
}

const hostileValues = [
  "'; drop table contacts; --",
  "1 or 1=1",
  "x' union select * from pg_authid --",
  "$$; select pg_sleep(10); $$",
  "\u0000",
  "a\u0000b",
  "\\x00",
  "%00",
  "😀\u200b\u202e",
  "x".repeat(10_000),
];

for (const value of hostileValues) {
  Deno.test(`parseFilter() keeps ${JSON.stringify(value.slice(0, 30))} as a plain value string`, () => {
    assert.deepEqual(parseFilter("c", `eq.${value}`), filter("c", cmp("eq", value)));
    assert.deepEqual(
      parseFilter("c", `in.("${value.replaceAll("\\", "\\\\")}")`),
      filter("c", { kind: "in", values: [value] }),
    );
  });
}

const rejected: [name: string, key: string, value: string, message: string][] = [
  ["an unknown operator", "account", "eqq.1", 'Cannot parse filter: unknown operator "eqq" at position 9'],
  ["a value without an operator", "id", "5", 'Cannot parse filter: unknown operator "5" at position 4'],
  ["an empty value", "id", "", "Cannot parse filter: expected an operator at position 4"],
  ["an operator without a dot", "id", "eq", 'Cannot parse filter: expected "." after "eq" at position 6'],
  ["an upper-case operator", "id", "EQ.1", 'Cannot parse filter: unknown operator "EQ" at position 4'],
  ["not twice", "id", "not.not.eq.1", 'Cannot parse filter: unknown operator "not" at position 8'],
  [
    "an unknown is value",
    "id",
    "is.nothing",
    'Cannot parse filter: expected null, not_null, true, false or unknown after "is." at position 7',
  ],
  [
    "text after an is value",
    "id",
    "is.nullx",
    'Cannot parse filter: expected null, not_null, true, false or unknown after "is." at position 7',
  ],
  [
    "an in list without parentheses",
    "id",
    "in.1,2",
    'Cannot parse filter: expected "(" to start the list at position 7',
  ],
  [
    "an unclosed in list",
    "id",
    "in.(1,2",
    'Cannot parse filter: expected ")" to end the list at position 11',
  ],
  ["text after an in list", "id", "in.(1,2)x", 'Cannot parse filter: unexpected "x" at position 12'],
  [
    "an unknown quantifier",
    "id",
    "eq(some).1",
    'Cannot parse filter: expected "(any)" or "(all)" at position 6',
  ],
  ["a quantifier on neq", "id", "neq(any).1", 'Cannot parse filter: expected "." after "neq" at position 7'],
  [
    "an empty fts config",
    "t",
    "fts().x",
    "Cannot parse filter: expected a text search configuration at position 7",
  ],
  ["an unclosed fts config", "t", "fts(english.x", 'Cannot parse filter: expected ")" at position 14'],
  ["an empty embed name", "contacts..email", "eq.1", 'Cannot parse filter: unexpected "." at position 10'],
  [
    "a key ending in a dot",
    "contacts.",
    "eq.1",
    "Cannot parse filter: unexpected end of input at position 10",
  ],
  ["a key with a parenthesis", "id)", "eq.1", 'Cannot parse filter: unexpected ")" at position 3'],
  ["a key with SQL", "id;drop", "eq.1", 'Cannot parse filter: unexpected ";" at position 3'],
  ["a NUL in the key", "i\u0000d", "eq.1", 'Cannot parse filter: unexpected "\\u0000" at position 2'],
];

for (const [name, k, v, message] of rejected) {
  Deno.test(`parseFilter() rejects ${name}`, () => {
    assert.throws(() => parseFilter(k, v), (err: unknown) => {
      assert.ok(err instanceof QuerySyntaxError);
      assert.equal(err.message, message);
      return true;
    });
  });
}

Deno.test("parseFilter() hints at the operators when the operator is unknown", () => {
  assert.throws(() => parseFilter("id", "eqq.1"), (err: unknown) => {
    assert.ok(err instanceof QuerySyntaxError);
    assert.match(err.hint ?? "", /^Use one of: eq, gt, .*wfts; optionally after "not\."$/);
    return true;
  });
});
