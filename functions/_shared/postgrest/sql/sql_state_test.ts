import assert from "node:assert/strict";
import { statusForSqlState } from "./sql_state.ts";

const cases: [code: string, status: number, note: string][] = [
  ["08000", 503, "connection exception"],
  ["08006", 503, "connection failure"],
  ["09000", 500, "triggered action exception"],
  ["0L000", 403, "invalid grantor"],
  ["0P000", 403, "invalid role specification"],
  ["23503", 409, "foreign key violation"],
  ["23505", 409, "unique violation"],
  ["23502", 400, "not-null violation"],
  ["23514", 400, "check violation"],
  ["23P01", 400, "exclusion violation"],
  ["22P02", 400, "invalid text representation"],
  ["22001", 400, "string data right truncation"],
  ["22003", 400, "numeric value out of range"],
  ["22021", 400, "invalid byte sequence (a NUL in a value)"],
  ["25006", 405, "read-only transaction"],
  ["25001", 500, "active SQL transaction"],
  ["28000", 403, "invalid authorization specification"],
  ["28P01", 403, "invalid password"],
  ["2D000", 500, "invalid transaction termination"],
  ["38000", 500, "external routine exception"],
  ["39000", 500, "external routine invocation exception"],
  ["3B000", 500, "savepoint exception"],
  ["40001", 500, "serialization failure"],
  ["40P01", 500, "deadlock detected"],
  ["42501", 403, "insufficient privilege (authenticated)"],
  ["42601", 400, "syntax error"],
  ["42703", 400, "undefined column"],
  ["42883", 404, "undefined function"],
  ["42P01", 404, "undefined table"],
  ["42P17", 500, "infinite recursion in a policy"],
  ["53000", 503, "insufficient resources"],
  ["53100", 503, "disk full"],
  ["53300", 503, "too many connections"],
  ["53400", 500, "configuration limit exceeded"],
  ["54000", 500, "program limit exceeded"],
  ["55P03", 500, "lock not available"],
  ["57014", 500, "query canceled (statement timeout)"],
  ["57P01", 503, "admin shutdown"],
  ["57P03", 500, "cannot connect now"],
  ["58000", 500, "system error"],
  ["F0000", 500, "config file error"],
  ["HV000", 500, "foreign data wrapper error"],
  ["P0001", 400, "raise exception"],
  ["P0002", 500, "no data found"],
  ["P0004", 500, "assert failure"],
  ["XX000", 500, "internal error"],
  ["PT404", 404, "raise sqlstate 'PT404'"],
  ["PT402", 402, "raise sqlstate 'PT402'"],
  ["PT999", 500, "out-of-range custom status"],
  ["PTabc", 500, "malformed custom status"],
  ["PGRST", 500, "raise sqlstate 'PGRST' (not supported)"],
  ["21000", 500, "cardinality violation"],
  ["22023", 400, "invalid parameter value"],
  ["P0000", 500, "PL/pgSQL error"],
  ["99999", 400, "anything else"],
];

for (const [code, status, note] of cases) {
  Deno.test(`statusForSqlState() answers ${code} (${note}) with ${status}`, () => {
    assert.equal(statusForSqlState(code, { authenticated: true }), status);
  });
}

Deno.test("statusForSqlState() answers 42501 with 401 for anon", () => {
  assert.equal(statusForSqlState("42501", { authenticated: false }), 401);
});

Deno.test("statusForSqlState() reads the message where PostgREST does", () => {
  assert.equal(
    statusForSqlState("21000", { authenticated: true, message: "DELETE requires a WHERE clause" }),
    400,
  );
  assert.equal(
    statusForSqlState("22023", { authenticated: true, message: 'role "admin" does not exist' }),
    401,
  );
  assert.equal(
    statusForSqlState("42883", { authenticated: true, message: "function xmlagg(text) does not exist" }),
    406,
  );
});
