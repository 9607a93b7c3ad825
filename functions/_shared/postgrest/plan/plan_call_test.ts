import assert from "node:assert/strict";
import type { Catalog, CatalogFunction, CatalogParameter } from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";
import type { CallPlan } from "./plan.ts";
import { planRequest } from "./plan_request.ts";
import { apiRequest, catalog, write } from "../testdata/fixtures.ts";

function parameter(name: string, type: string, hasDefault = false): CatalogParameter {
  return { name, type, hasDefault, variadic: false };
}

function fn(
  name: string,
  parameters: CatalogParameter[],
  extra: Partial<CatalogFunction> = {},
): CatalogFunction {
  return {
    name,
    parameters,
    returns: { setOf: false, kind: "scalar", type: "integer", table: null, columns: [], rows: 0 },
    volatility: "volatile",
    securityDefiner: false,
    grantedToAuthenticated: true,
    ...extra,
  };
}

/** The tenant schema's snapshot plus functions that exercise overload resolution. */
const withOverloads: Catalog = {
  ...catalog,
  functions: [
    ...catalog.functions,
    fn("add_them", [parameter("a", "integer"), parameter("b", "integer")]),
    fn("add_them", [parameter("a", "text"), parameter("b", "text")]),
    fn("echo", [parameter("", "jsonb")]),
    fn("echo", [parameter("x", "integer")]),
    fn("owner_only", [], { securityDefiner: true, grantedToAuthenticated: false }),
    fn("definer_granted", [], { securityDefiner: true, grantedToAuthenticated: true }),
    fn("nothing", [], {
      returns: { setOf: false, kind: "void", type: "void", table: null, columns: [], rows: 0 },
    }),
  ],
};

async function plan(path: string, init: RequestInit = {}, from = withOverloads): Promise<CallPlan> {
  const planned = planRequest(await apiRequest(path, init), from, { maxRows: 1000 });
  assert.equal(planned.kind, "call");
  return planned as CallPlan;
}

async function refusal(path: string, init: RequestInit = {}): Promise<PostgrestError> {
  try {
    await plan(path, init);
  } catch (err) {
    assert.ok(err instanceof PostgrestError, String(err));
    return err;
  }
  throw new Error("expected a PostgrestError");
}

Deno.test("planCall() tells overloads apart by argument names", async () => {
  const all = await plan("rpc/contact_count", write("POST", {}));
  assert.deepEqual(all.arguments, { kind: "named", parameters: [], raw: "{}" });
  const one = await plan("rpc/contact_count", write("POST", { account_id: "x" }));
  assert.deepEqual(one.arguments.kind === "named" && one.arguments.parameters.map((p) => p.name), [
    "account_id",
  ]);
});

Deno.test("planCall() leaves parameters with defaults out when the request does not give them", async () => {
  const call = await plan("rpc/search_contacts?query=ada");
  assert.deepEqual(call.arguments, {
    kind: "named",
    parameters: [{ name: "query", type: "text", variadic: false }],
    raw: '{"query":"ada"}',
  });
  assert.equal(call.result, "rows");
  assert.equal(call.root?.table, "contacts", "rows of a table's type are read as that table (embeds work)");
});

Deno.test("planCall() makes a repeated query-string argument an array", async () => {
  const call = await plan("rpc/search_contacts?query=a&query=b");
  assert.equal(call.arguments.raw, '{"query":["a","b"]}');
});

Deno.test("planCall() answers PGRST203 with PostgREST's message when two overloads match", async () => {
  const err = await refusal("rpc/add_them", write("POST", { a: 1, b: 2 }));
  assert.deepEqual(err.toJSON(), {
    code: "PGRST203",
    message:
      "Could not choose the best candidate function between: public.add_them(a => integer, b => integer), public.add_them(a => text, b => text)",
    details: null,
    hint:
      "Try renaming the parameters or the function itself in the database so function overloading can be resolved",
  });
  assert.equal(err.status, 300);
});

Deno.test("planCall() answers PGRST202 with a hint naming the closest function or parameters", async () => {
  const misspelt = await refusal("rpc/search_contact", write("POST", { query: "x" }));
  assert.deepEqual(misspelt.toJSON(), {
    code: "PGRST202",
    message: "Could not find the function public.search_contact(query) in the schema cache",
    details:
      "Searched for the function public.search_contact with parameter query or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
    hint: "Perhaps you meant to call the function public.search_contacts",
  });
  assert.equal(misspelt.status, 404);
  const wrongArgs = await refusal("rpc/search_contacts?q=x");
  assert.equal(
    wrongArgs.details,
    "Searched for the function public.search_contacts with parameter q, but no matches were found in the schema cache.",
  );
  assert.equal(
    wrongArgs.hint,
    "Perhaps you meant to call the function public.search_contacts(max_results, query)",
  );
  const nothingClose = await refusal("rpc/zzzzzz");
  assert.equal(
    nothingClose.message,
    "Could not find the function public.zzzzzz without parameters in the schema cache",
  );
  assert.equal(nothingClose.hint, null);
});

Deno.test("planCall() passes the whole body to a function of one unnamed jsonb parameter", async () => {
  const array = await plan("rpc/echo", write("POST", [{ a: 1 }]));
  assert.deepEqual(array.arguments, { kind: "body", type: "jsonb", raw: '[{"a":1}]' });
  const named = await plan("rpc/echo", write("POST", { x: 1 }));
  assert.equal(named.arguments.kind, "named", "a named match wins over the unnamed fallback");
  const other = await plan("rpc/echo", write("POST", { y: 1 }));
  assert.equal(other.arguments.kind, "body");
});

Deno.test("planCall() with Prefer: params=single-object passes the body to the one jsonb parameter", async () => {
  const call = await plan("rpc/import_contacts", {
    ...write("POST", { name: "A" }),
    headers: { "content-type": "application/json", prefer: "params=single-object" },
  });
  assert.deepEqual(call.arguments, { kind: "body", type: "jsonb", raw: '{"name":"A"}' });
});

Deno.test("planCall() refuses an array body for a function with named parameters", async () => {
  const err = await refusal("rpc/contact_count", write("POST", [{}]));
  assert.equal(err.code, "PGRST102");
});

Deno.test("planCall() runs volatile functions read-write on POST only, others always read-only", async () => {
  assert.equal(
    (await plan("rpc/close_opportunity", write("POST", { opportunity_id: "x", won: true }))).readOnly,
    false,
  );
  assert.equal((await plan("rpc/close_opportunity?opportunity_id=x&won=true")).readOnly, true);
  assert.equal((await plan("rpc/search_contacts", write("POST", { query: "x" }))).readOnly, true);
});

Deno.test("planCall() refuses a security definer function not granted to authenticated", async () => {
  const err = await refusal("rpc/owner_only", write("POST", {}));
  assert.deepEqual([err.code, err.status], ["42501", 403]);
  assert.equal((await plan("rpc/definer_granted", write("POST", {}))).result, "scalar");
});

Deno.test("planCall() types the results: void, scalar, composite row, rows of a table (...)", async () => {
  assert.equal((await plan("rpc/nothing", write("POST", {}))).result, "void");
  assert.equal((await plan("rpc/contact_count", write("POST", {}))).result, "scalar");
  const closed = await plan("rpc/close_opportunity", write("POST", { opportunity_id: "x", won: true }));
  assert.equal(closed.result, "row");
  const summary = await plan("rpc/pipeline_summary?select=stage_name&opportunity_count=gt.0");
  assert.equal(summary.result, "rows");
  assert.equal(summary.root?.where.length, 1);
});

Deno.test("planCall() refuses an unknown column of the returned rows", async () => {
  const err = await refusal("rpc/pipeline_summary?select=nope");
  assert.equal(err.status, 400);
});
