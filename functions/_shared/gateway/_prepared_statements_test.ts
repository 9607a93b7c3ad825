import assert from "node:assert/strict";
import { PreparedStatements } from "./_prepared_statements.ts";

Deno.test("PreparedStatements admits a text the second time it is seen", () => {
  const prepared = new PreparedStatements();
  assert.equal(prepared.admit("select $1::text"), false);
  assert.equal(prepared.admit("select $1::text"), true);
  assert.equal(prepared.admit("select $1::text"), true);
  assert.equal(prepared.size, 1);
});

Deno.test("PreparedStatements never admits more texts than its cap", () => {
  const prepared = new PreparedStatements({ maxStatements: 2 });
  for (const text of ["a", "a", "b", "b", "c", "c"]) prepared.admit(text);
  assert.equal(prepared.size, 2);
  assert.equal(prepared.admit("c"), false);
  assert.equal(prepared.admit("a"), true);
});

Deno.test("PreparedStatements forgets the oldest one-off texts", () => {
  const prepared = new PreparedStatements({ maxStatements: 2 });
  for (const text of ["a", "b", "c"]) prepared.admit(text);
  // "a" was pushed out by "c": seeing it again counts as a first sighting.
  assert.equal(prepared.admit("a"), false);
  assert.equal(prepared.admit("c"), true);
});
