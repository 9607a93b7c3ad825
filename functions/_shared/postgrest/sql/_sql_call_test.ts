import assert from "node:assert/strict";
import type { CallPlan } from "../plan/mod.ts";
import { callSql } from "./_sql_call.ts";
import { render } from "./sql_fragment.ts";

function plan(overrides: Partial<CallPlan>): CallPlan {
  return {
    kind: "call",
    schema: "public",
    function: "search_contacts",
    arguments: { kind: "named", parameters: [], raw: "{}" },
    result: "rows",
    readOnly: true,
    head: false,
    media: "json",
    stripNulls: false,
    count: null,
    root: null,
    maxAffected: null,
    ...overrides,
  };
}

Deno.test("callSql() reads named arguments from one json parameter into their own types", () => {
  const statement = render(callSql(plan({
    arguments: {
      kind: "named",
      parameters: [{ name: "query", type: "text", variadic: false }, {
        name: "max_results",
        type: "integer",
        variadic: false,
      }],
      raw: '{"query":"ada","max_results":5}',
    },
  })));
  assert.equal(
    statement.text,
    'SELECT "pgrst_call".* FROM json_to_record(CAST($1::text AS json)) AS "pgrst_args"("query" text, "max_results" integer), LATERAL "public"."search_contacts"("query" := "pgrst_args"."query", "max_results" := "pgrst_args"."max_results") AS "pgrst_call"',
  );
  assert.deepEqual(statement.params, ['{"query":"ada","max_results":5}']);
});

Deno.test("callSql() calls a function without arguments, and scalars as one column", () => {
  assert.equal(
    render(callSql(plan({ function: "contact_count", result: "scalar" }))).text,
    'SELECT "public"."contact_count"() AS "pgrst_scalar"',
  );
  assert.equal(
    render(callSql(plan({ function: "tags", result: "scalars" }))).text,
    'SELECT "pgrst_call"."pgrst_scalar" FROM "public"."tags"() AS "pgrst_call"("pgrst_scalar")',
  );
});

Deno.test("callSql() passes the whole body to a json/jsonb parameter, and variadic arguments as VARIADIC", () => {
  const body = render(callSql(plan({ arguments: { kind: "body", type: "jsonb", raw: "[1]" } })));
  assert.equal(
    body.text,
    'SELECT "pgrst_call".* FROM "public"."search_contacts"(CAST($1::text AS jsonb)) AS "pgrst_call"',
  );
  assert.deepEqual(body.params, ["[1]"]);
  const variadic = render(callSql(plan({
    result: "scalar",
    arguments: { kind: "named", parameters: [{ name: "ids", type: "uuid[]", variadic: true }], raw: "{}" },
  })));
  assert.match(variadic.text, /"public"\."search_contacts"\(VARIADIC "ids" := "pgrst_args"\."ids"\)/);
});

Deno.test("callSql() never puts request text in the statement: names are quoted, values bound", () => {
  const statement = render(callSql(plan({
    function: 'x"; drop table contacts; --',
    arguments: { kind: "named", parameters: [{ name: 'a"b', type: "text", variadic: false }], raw: "'" },
  })));
  assert.ok(statement.text.includes('"x""; drop table contacts; --"'));
  assert.ok(statement.text.includes('"a""b"'));
  assert.deepEqual(statement.params, ["'"]);
});
