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

Deno.test("PreparedStatements remembers each connection's statements by pool and server process", () => {
  const prepared = new PreparedStatements();
  const [pool, other] = [{ options: { max: 3 } }, { options: { max: 3 } }];
  prepared.preparedOn(pool, 101, "a");
  assert.equal(prepared.isPreparedOn(pool, 101, "a"), true);
  assert.equal(prepared.isPreparedOn(pool, 102, "a"), false, "another connection of the pool");
  assert.equal(prepared.isPreparedOn(other, 101, "a"), false, "the same process id on another database");
  assert.equal(prepared.isPreparedOn(pool, 101, "b"), false);
});

Deno.test("PreparedStatements remembers twice the pool's connections, forgetting those closed longest ago", () => {
  const prepared = new PreparedStatements();
  const pool = { options: { max: 3 } };
  for (let pid = 1; pid <= 7; pid++) prepared.preparedOn(pool, pid, "a");
  assert.equal(prepared.isPreparedOn(pool, 1, "a"), false);
  assert.equal(prepared.isPreparedOn(pool, 2, "a"), true);
  assert.equal(prepared.isPreparedOn(pool, 7, "a"), true);
});

Deno.test("PreparedStatements never admits a refused text again", () => {
  const prepared = new PreparedStatements();
  prepared.admit("a");
  assert.equal(prepared.admit("a"), true);
  prepared.refuse("a");
  assert.equal(prepared.admit("a"), false);
  assert.equal(prepared.admit("a"), false);
  assert.equal(prepared.size, 0);
});
