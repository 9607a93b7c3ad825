import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { parsePrefer } from "./parse_prefer.ts";
import type { Preferences } from "./request.ts";

const NONE: Preferences = {
  return: null,
  count: null,
  resolution: null,
  missing: null,
  handling: null,
  tx: null,
  maxAffected: null,
  params: null,
  timezone: null,
  invalid: [],
};

const cases: [header: string | null, expected: Partial<Preferences>][] = [
  [null, {}],
  ["", {}],
  ["return=minimal", { return: "minimal" }],
  ["return=representation", { return: "representation" }],
  ["return=headers-only", { return: "headers-only" }],
  ["count=exact", { count: "exact" }],
  ["count=planned", { count: "planned" }],
  ["count=estimated", { count: "estimated" }],
  ["resolution=merge-duplicates", { resolution: "merge-duplicates" }],
  ["resolution=ignore-duplicates", { resolution: "ignore-duplicates" }],
  ["missing=default", { missing: "default" }],
  ["missing=null", { missing: "null" }],
  ["handling=lenient", { handling: "lenient" }],
  ["handling=strict", { handling: "strict" }],
  ["tx=rollback", { tx: "rollback" }],
  ["tx=commit", { tx: "commit" }],
  ["max-affected=5", { maxAffected: 5 }],
  ["params=single-object", { params: "single-object" }],
  ["resolution=merge-duplicates, return=representation", {
    resolution: "merge-duplicates",
    return: "representation",
  }],
  ["count=exact,    tx=commit   ,return=representation , missing=default", {
    count: "exact",
    tx: "commit",
    return: "representation",
    missing: "default",
  }],
  ["tx=commit, tx=rollback", { tx: "commit" }],
  ["return=minimal,return=representation,max-affected=1,max-affected=2", {
    return: "minimal",
    maxAffected: 1,
  }],
  // PostgREST recognises every `max-affected=` (an unreadable number is ignored); the first `timezone=` is
  // kept as sent, for the gateway to check against the server's zones.
  ["anything, timezone=UTC, count=EXACT, max-affected=-1, timezone=Asia/Tokyo", {
    invalid: ["anything", "count=EXACT"],
    timezone: "UTC",
  }],
  [",,count=exact,,", { count: "exact" }],
];

for (const [header, expected] of cases) {
  Deno.test(`parsePrefer() parses ${JSON.stringify(header)}`, () => {
    assert.deepEqual(parsePrefer(header), { ...NONE, ...expected });
  });
}

Deno.test("parsePrefer() reads several Prefer headers joined by Headers", () => {
  const headers = new Headers([["prefer", "count=exact"], ["prefer", "return=representation"]]);
  assert.deepEqual(parsePrefer(headers.get("prefer")), { ...NONE, count: "exact", return: "representation" });
});

Deno.test("parsePrefer() rejects unknown preferences with handling=strict", () => {
  assert.throws(
    () => parsePrefer("handling=strict, foo, timezone=UTC, bar, max-affected=x"),
    (err: unknown) => {
      assert.ok(err instanceof PostgrestError);
      assert.equal(err.code, "PGRST122");
      assert.equal(err.status, 400);
      assert.equal(err.message, "Invalid preferences given with handling=strict");
      // PostgREST's words: the preferences as sent, unquoted.
      assert.equal(err.details, "Invalid preferences: foo, bar");
      return true;
    },
  );
});

Deno.test("parsePrefer() accepts known preferences with handling=strict", () => {
  assert.deepEqual(parsePrefer("handling=strict, count=exact"), {
    ...NONE,
    handling: "strict",
    count: "exact",
  });
});

Deno.test("parsePrefer() ignores unknown preferences when the first handling is lenient", () => {
  assert.deepEqual(parsePrefer("handling=lenient, handling=strict, foo"), {
    ...NONE,
    handling: "lenient",
    invalid: ["foo"],
  });
});
