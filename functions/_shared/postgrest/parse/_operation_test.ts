import assert from "node:assert/strict";
import { Cursor } from "./_cursor.ts";
import { OPERATORS, parseOpExpr } from "./_operation.ts";
import { cmp } from "../testdata/helpers.ts";

Deno.test("OPERATORS lists every operator PostgREST knows", () => {
  assert.deepEqual([...OPERATORS].sort(), [
    "adj",
    "cd",
    "cs",
    "eq",
    "fts",
    "gt",
    "gte",
    "ilike",
    "imatch",
    "in",
    "is",
    "isdistinct",
    "like",
    "lt",
    "lte",
    "match",
    "neq",
    "nxl",
    "nxr",
    "ov",
    "phfts",
    "plfts",
    "sl",
    "sr",
    "wfts",
  ]);
});

Deno.test("parseOpExpr() reads a filter value to the end of the text", () => {
  const c = new Cursor("eq.a,b)c", { subject: "filter" });
  assert.deepEqual(parseOpExpr(c, "filter"), { negated: false, operation: cmp("eq", "a,b)c") });
  assert.ok(c.done);
});

Deno.test("parseOpExpr() stops a logic value at , or ) unless quoted or braced", () => {
  const cases: [text: string, value: string, rest: string][] = [
    ["eq.a,b", "a", ",b"],
    ["eq.a)b", "a", ")b"],
    ['eq."a,b",c', "a,b", ",c"],
    ["cs.{a,b},c", "{a,b}", ",c"],
    ["cs.{a,{b}},c", "{a", ",{b}},c"],
    ["eq.", "", ""],
  ];
  for (const [text, value, rest] of cases) {
    const c = new Cursor(text, { subject: "logic tree" });
    assert.deepEqual(parseOpExpr(c, "logic"), {
      negated: false,
      operation: cmp(text.startsWith("cs") ? "cs" : "eq", value),
    }, text);
    assert.equal(c.text.slice(c.pos), rest, text);
  }
});
