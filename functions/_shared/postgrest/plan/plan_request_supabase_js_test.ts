// Every request supabase-js 2.119 sends for the 51 recorded query-builder calls
// (testdata/supabase-js-requests.json) that parses: planned against the catalog snapshot, built into SQL and
// run against the shared tenant database as a globex owner (rolled back). A recorded call that names a
// column the tenant schema lacks must plan to 42703 (as PostgREST answers); it then runs again with the names adjusted, as do
// calls whose recorded values cannot be of their columns' types (`id=eq.x`).
import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { parseRequest } from "../parse/parse_request.ts";
import { planRequest } from "./plan_request.ts";
import type { ApiRequest } from "../parse/request.ts";
import { buildQuery, type SqlQuery } from "../sql/sql_query.ts";
import { asTenant, GLOBEX, type ResultRow, run, SHARED_DB_URL, withDb } from "../testdata/db.ts";
import { catalog } from "../testdata/fixtures.ts";

interface RecordedRequest {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: unknown;
}

interface RecordedCase {
  name: string;
  call: string;
  requests: RecordedRequest[];
}

const recording: { cases: RecordedCase[] } = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/supabase-js-requests.json", import.meta.url)),
);

/** Refused by the parse stage (see parse_request_supabase_js_test.ts): nothing to plan. */
const UNPARSED = new Set(["select alias and cast", "schema", "explain"]);

const CONTACT = "11200000-0000-4000-8000-000000000001";
const CONTACT_2 = "11200000-0000-4000-8000-000000000002";
const PRODUCT = "13200000-0000-4000-8000-000000000001";

interface Expectation {
  /** The planner's error for the request as recorded, if any. */
  plan?: { code: string; message?: string };
  /** The database's SQLSTATE for the request as recorded, if it plans but cannot run. */
  sqlState?: string;
  /** The request adjusted to the tenant schema and its seed, run when the recorded one cannot. */
  adjusted?: Partial<Pick<RecordedRequest, "path" | "query" | "body">>;
  /** What the successful run returns. */
  check?: (row: ResultRow, query: SqlQuery) => void;
}

function objects(row: ResultRow): Record<string, unknown>[] {
  const value: unknown = JSON.parse(row.body ?? "null");
  assert.ok(Array.isArray(value), row.body ?? "null");
  return value;
}

const EXPECTED: Record<string, Expectation> = {
  "select all": { check: (row) => assert.ok(row.page_total > 0 && "tenant_id" in (objects(row)[0] ?? {})) },
  "select columns": {
    check: (row) => assert.deepEqual(Object.keys(objects(row)[0] ?? {}), ["id", "first_name", "last_name"]),
  },
  "select json path": {
    check: (row) => assert.deepEqual(Object.keys(objects(row)[0] ?? {}), ["id", "city", "geo"]),
  },
  "embed many-to-one": { check: (row) => assert.ok(objects(row).some((r) => typeof r.account === "object")) },
  "embed one-to-many": { check: (row) => assert.ok(objects(row).every((r) => Array.isArray(r.contacts))) },
  "embed inner with filter": {
    check: (row) => assert.equal(row.page_total, 0),
  },
  "embed fk hint": { check: (row) => assert.ok(objects(row).some((r) => r.venue !== null)) },
  "embed nested": {
    check: (row) => assert.ok(objects(row).some((r) => (r.opportunities as unknown[]).length > 0)),
  },
  "embed count": {
    check: (row) =>
      assert.ok(objects(row).every((r) => typeof (r.contacts as { count: number }[])[0]?.count === "number")),
  },
  "eq": { check: (row) => assert.equal(row.page_total, 0) },
  "neq gt gte lt lte": {
    plan: {
      code: "42703",
      message: "column opportunities.stage does not exist",
    },
    adjusted: {
      query: [["select", "id"], ["name", "neq.lost"], ["amount", "gt.10"], ["amount", "gte.11"], [
        "amount",
        "lt.1000000",
      ], ["amount", "lte.999999"]],
    },
  },
  "like ilike": {},
  "is null / is true": {
    plan: { code: "42703", message: "column tasks.is_done does not exist" },
    adjusted: {
      path: "/functions/v1/tenant-data/rest/v1/notes",
      query: [["select", "id"], ["title", "is.null"], ["is_pinned", "is.false"]],
    },
    check: (row) => assert.ok(row.page_total > 0),
  },
  "in": {
    sqlState: "22P02",
    adjusted: { query: [["select", "id"], ["id", `in.(${CONTACT},"${CONTACT_2}")`]] },
    check: (row) => assert.equal(row.page_total, 2),
  },
  "contains / containedBy": {},
  "contains jsonb": { check: (row) => assert.equal(row.page_total, 1) },
  "not": { check: (row) => assert.ok(row.page_total > 0) },
  "or": {},
  "or nested and": {
    plan: {
      code: "42703",
      message: "column opportunities.stage does not exist",
    },
    adjusted: { query: [["select", "id"], ["or", "(amount.gt.100,and(name.eq.won,amount.lt.50))"]] },
  },
  "or on embedded": {},
  "filter generic": {},
  "match": {},
  "textSearch": {},
  "order multiple": {},
  "order embedded": {},
  "limit": {},
  "limit embedded": {
    check: (row) => assert.ok(objects(row).every((r) => (r.contacts as unknown[]).length <= 2)),
  },
  "range": { check: (_row, query) => assert.equal(query.offset, 20) },
  "count exact": { check: (row) => assert.equal(Number(row.total_count), row.page_total) },
  "count exact head": {
    check: (row) => assert.deepEqual([row.body, Number(row.total_count) > 0], [null, true]),
  },
  "count planned": { check: (row) => assert.equal(Number(row.total_count), row.page_total) },
  "single": {
    sqlState: "22P02",
    adjusted: { query: [["select", "id"], ["id", `eq.${CONTACT}`]] },
    check: (row, query) => {
      assert.ok(query.expectsSingle);
      assert.deepEqual([row.page_total, JSON.parse(row.body ?? "")], [1, { id: CONTACT }]);
    },
  },
  "maybeSingle": {
    sqlState: "22P02",
    adjusted: { query: [["select", "id"], ["id", `eq.${CONTACT}`]] },
    check: (row) => assert.deepEqual(objects(row), [{ id: CONTACT }]),
  },
  "csv": { check: (row) => assert.equal(row.body?.split("\n")[0], "id") },
  "insert one": {
    sqlState: "23502",
    adjusted: { body: { name: "Ada Lovelace", first_name: "Ada", last_name: "Lovelace" } },
    check: (row) => assert.deepEqual([row.page_total, row.body], [1, null]),
  },
  "insert one returning": {
    sqlState: "23502",
    adjusted: { body: { name: "Ada", first_name: "Ada" } },
    check: (row) => assert.equal(objects(row)[0]?.tenant_id, GLOBEX),
  },
  "insert many": {
    sqlState: "23502",
    adjusted: {
      query: [["columns", '"name","email"']],
      body: [{ name: "A" }, { name: "B", email: "b@x.test" }],
    },
    check: (row) => assert.equal(row.page_total, 2),
  },
  "insert many default missing": {
    sqlState: "23502",
    adjusted: {
      query: [["columns", '"name","email","tags"']],
      body: [{ name: "A" }, { name: "B", email: "b@x.test" }],
    },
    check: (row) => assert.equal(row.page_total, 2),
  },
  "insert count": {
    sqlState: "23502",
    adjusted: { body: { name: "A" } },
    check: (row) => assert.deepEqual([row.page_total, row.total_count], [1, "1"]),
  },
  "upsert merge": {
    sqlState: "22P02",
    adjusted: { body: { id: PRODUCT, sku: "GLX-DOME", name: "Widget" } },
    check: (row) => assert.equal(row.page_total, 1),
  },
  "upsert on_conflict ignore": { check: (row) => assert.equal(row.page_total, 1) },
  "upsert returning single": {
    check: (row, query) => {
      assert.ok(query.expectsSingle);
      assert.equal((JSON.parse(row.body ?? "") as { sku: string }).sku, "S1");
    },
  },
  "update": {
    sqlState: "22P02",
    adjusted: { query: [["id", `eq.${CONTACT}`]] },
    check: (row) => assert.equal(row.page_total, 1),
  },
  "update returning": {
    sqlState: "22P02",
    adjusted: { query: [["id", `eq.${CONTACT}`], ["select", "id,last_name"]] },
    check: (row) => assert.deepEqual(objects(row), [{ id: CONTACT, last_name: "Byron" }]),
  },
  "delete": {
    sqlState: "22P02",
    adjusted: { query: [["id", `eq.${CONTACT}`]] },
    check: (row) => assert.equal(row.page_total, 1),
  },
  "delete returning count": {
    sqlState: "22P02",
    adjusted: { query: [["id", `in.(${CONTACT},${CONTACT_2})`], ["select", "*"]] },
    check: (row) => assert.deepEqual([row.page_total, row.total_count, objects(row).length], [2, "2", 2]),
  },
  "rpc": {
    plan: {
      code: "PGRST202",
      message: "Could not find the function public.search_contacts(q) in the schema cache",
    },
  },
  // public.schema_version() of the tenant schema, called with GET: its scalar result as JSON.
  "rpc get": { check: (row) => assert.match(JSON.parse(row.body ?? "") as string, /^\d{14}$/) },
};

function toRequest(recorded: RecordedRequest): Request {
  const url = new URL(`http://127.0.0.1:54321${recorded.path}`);
  for (const [name, value] of recorded.query) url.searchParams.append(name, value);
  const body = recorded.body === undefined ? null : JSON.stringify(recorded.body);
  return new Request(url, { method: recorded.method, headers: recorded.headers, body });
}

function parse(recorded: RecordedRequest): Promise<ApiRequest> {
  return parseRequest(toRequest(recorded), { path: recorded.path.replace("/functions/v1/tenant-data", "") });
}

async function sqlState(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? code : String(err);
  }
  return "no error";
}

Deno.test("every recorded supabase-js call has an expectation here or is refused by the parser", () => {
  assert.equal(recording.cases.length, 51);
  const names = recording.cases.map((c) => c.name);
  assert.deepEqual(names.filter((name) => !(name in EXPECTED) && !UNPARSED.has(name)), []);
  assert.deepEqual(Object.keys(EXPECTED).filter((name) => !names.includes(name)), []);
  assert.equal(Object.keys(EXPECTED).length + UNPARSED.size, 51);
});

for (const recorded of recording.cases) {
  const [request] = recorded.requests;
  const expected = EXPECTED[recorded.name];
  if (request === undefined || expected === undefined) continue;
  const call = recorded.call.replaceAll(/\s+/g, " ");

  Deno.test(`planRequest() ${expected.plan ? `refuses with ${expected.plan.code}` : "plans"} supabase-js' ${recorded.name}: ${call}`, async () => {
    const apiRequest = await parse(request);
    if (expected.plan === undefined) {
      const query = buildQuery(planRequest(apiRequest, catalog, { maxRows: 1000 }));
      assert.match(
        query.statement.text,
        /^(WITH "pgrst_(source|written)" AS (MATERIALIZED )?\(|SELECT count\(\*\)::int4 AS "page_total", )/,
      );
      return;
    }
    const { code, message } = expected.plan;
    assert.throws(() => planRequest(apiRequest, catalog), (err: unknown) => {
      assert.ok(err instanceof PostgrestError, String(err));
      assert.equal(err.code, code);
      if (message !== undefined) assert.equal(err.message, message);
      return true;
    });
  });

  if (expected.plan !== undefined && expected.adjusted === undefined) continue;
  Deno.test({
    name: `supabase-js' ${recorded.name} runs against the tenant database${
      expected.adjusted === undefined ? "" : " (adjusted to the tenant schema and seed)"
    }`,
    fn: () =>
      withDb(SHARED_DB_URL ?? "", async (sql) => {
        if (expected.plan === undefined && expected.sqlState !== undefined) {
          const query = buildQuery(planRequest(await parse(request), catalog));
          const state = await sqlState(asTenant(sql, GLOBEX, (tx) => run(tx, query)));
          assert.equal(state, expected.sqlState, "the request as recorded");
        }
        const adjusted = { ...request, ...expected.adjusted };
        const query = buildQuery(planRequest(await parse(adjusted), catalog, { maxRows: 1000 }));
        const row = await asTenant(sql, GLOBEX, (tx) => run(tx, query));
        assert.equal(typeof row.page_total, "number");
        expected.check?.(row, query);
      }),
  });
}
