import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { planRequest } from "./plan_request.ts";
import { apiRequest, catalog, planFor, write } from "../testdata/fixtures.ts";
import { SYNTHETIC_CATALOG } from "../testdata/synthetic.ts";

interface ErrorCase {
  path: string;
  init?: RequestInit;
  code: string;
  status: number;
  message?: string;
  synthetic?: boolean;
}

const json = { "content-type": "application/json" };
const upsert = { ...json, prefer: "resolution=merge-duplicates" };

const errors: Record<string, ErrorCase> = {
  "an unknown table": {
    path: "nope",
    code: "PGRST205",
    status: 404,
    message: "Could not find the table 'public.nope' in the schema cache",
  },
  "an unknown table in a write": {
    path: "nope",
    init: write("DELETE", undefined),
    code: "PGRST205",
    status: 404,
  },
  "an unknown column in select": {
    path: "contacts?select=id,nope",
    code: "42703",
    status: 400,
    message: "column contacts.nope does not exist",
  },
  "an unknown column under a JSON path": {
    path: "accounts?select=nope->>city",
    code: "42703",
    status: 400,
  },
  "an unknown column in a filter": { path: "contacts?nope=eq.1", code: "42703", status: 400 },
  "an unknown column in or=()": { path: "contacts?or=(nope.eq.1,name.eq.x)", code: "42703", status: 400 },
  "an unknown column in order": { path: "contacts?order=nope.desc", code: "42703", status: 400 },
  "an unknown column in an embedded select": {
    path: "accounts?select=id,contacts(nope)",
    code: "42703",
    status: 400,
    message: "column contacts.nope does not exist",
  },
  "an unknown column in an embedded filter": {
    path: "accounts?select=id,contacts(id)&contacts.nope=eq.1",
    code: "42703",
    status: 400,
  },
  "an unknown column in a related order": {
    path: "contacts?select=id,accounts(name)&order=accounts(nope)",
    code: "42703",
    status: 400,
    message: "column accounts.nope does not exist",
  },
  "an unknown column in on_conflict": {
    path: "products?on_conflict=nope",
    init: { method: "POST", headers: upsert, body: '{"sku":"a"}' },
    code: "PGRST204",
    status: 400,
  },
  "an unknown column in on_conflict without resolution": {
    path: "products?on_conflict=nope",
    init: write("POST", { sku: "a" }),
    code: "PGRST204",
    status: 400,
  },
  "an unknown column in columns=": {
    path: "contacts?columns=name,nope",
    init: write("POST", [{ name: "a" }]),
    code: "PGRST204",
    status: 400,
  },
  "an unknown key of an inserted object": {
    path: "contacts",
    init: write("POST", { name: "a", nope: 1 }),
    code: "PGRST204",
    status: 400,
    message: "Could not find the 'nope' column of 'contacts' in the schema cache",
  },
  "an unknown key of an update": {
    path: "contacts?id=eq.x",
    init: write("PATCH", { nope: 1 }),
    code: "PGRST204",
    status: 400,
  },
  "an unknown column in a delete's filter": {
    path: "contacts?nope=eq.x",
    init: write("DELETE", undefined),
    code: "42703",
    status: 400,
  },
  "an unknown column in a returned representation": {
    path: "contacts?select=nope",
    init: write("POST", { name: "a" }, "return=representation"),
    code: "42703",
    status: 400,
  },
  "an embed without relationship": {
    path: "venues?select=id,products(id)",
    code: "PGRST200",
    status: 400,
    message: "Could not find a relationship between 'venues' and 'products' in the schema cache",
  },
  "an embed with a hint that matches nothing": {
    path: "events?select=id,venues!events_account_id_fkey(name)",
    code: "PGRST200",
    status: 400,
  },
  "an ambiguous embed": {
    path: "projects?select=id,people(name)",
    code: "PGRST201",
    status: 300,
    message: "Could not embed because more than one relationship was found for 'projects' and 'people'",
    synthetic: true,
  },
  "a filter on a resource that is not embedded": {
    path: "accounts?select=id&contacts.email=eq.x",
    code: "PGRST108",
    status: 400,
    message: "'contacts' is not an embedded resource in this request",
  },
  "an or=() on a resource that is not embedded": {
    path: "accounts?select=id&contacts.or=(email.eq.x)",
    code: "PGRST108",
    status: 400,
  },
  "an order on a resource that is not embedded": {
    path: "accounts?select=id&contacts.order=email",
    code: "PGRST108",
    status: 400,
  },
  "a limit on a resource that is not embedded": {
    path: "accounts?select=id&contacts.limit=1",
    code: "PGRST108",
    status: 400,
  },
  "a related order on a resource that is not embedded": {
    path: "contacts?select=id&order=accounts(name)",
    code: "PGRST108",
    status: 400,
  },
  "a related order on a to-many embed": {
    path: "accounts?select=id,contacts(email)&order=contacts(email)",
    code: "PGRST118",
    status: 400,
    message: "A related order on 'contacts' is not possible",
  },
  "an operator other than is null on an embed": {
    path: "contacts?select=id,accounts(name)&accounts=eq.x",
    code: "PGRST120",
    status: 400,
    message: "Bad operator on the 'accounts' embedded resource",
  },
  "an aggregate by default": {
    path: "opportunities?select=amount.sum()",
    code: "PGRST123",
    status: 400,
    message: "Use of aggregate functions is not allowed",
  },
  "count() by default (PostgREST counts it an aggregate)": {
    path: "opportunities?select=stage_id,count()",
    code: "PGRST123",
    status: 400,
    message: "Use of aggregate functions is not allowed",
  },
  "an aggregate in a spread that embeds": {
    path: "contacts?select=name,...accounts(count,opportunities(id))",
    code: "PGRST127",
    status: 400,
  },
  "an alias longer than PostgreSQL keeps": {
    path: `contacts?select=${"a".repeat(64)}:name`,
    code: "PGRST100",
    status: 400,
  },
  "an rpc to an unknown function": {
    path: "rpc/search_contacts",
    init: write("POST", { q: "ada" }),
    code: "PGRST202",
    status: 404,
    message: "Could not find the function public.search_contacts(q) in the schema cache",
  },
  "an rpc without arguments to an unknown function": {
    path: "rpc/no_such_function",
    code: "PGRST202",
    status: 404,
    message: "Could not find the function public.no_such_function without parameters in the schema cache",
  },
  "an rpc with an argument the function does not have": {
    path: "rpc/search_people?query=ada",
    code: "PGRST202",
    status: 404,
    message: "Could not find the function pgrst_synthetic.search_people(query) in the schema cache",
    synthetic: true,
  },
};

for (const [name, c] of Object.entries(errors)) {
  Deno.test(`planRequest() refuses ${name} with ${c.status} ${c.code}`, async () => {
    await assert.rejects(
      planFor(c.path, c.init ?? {}, c.synthetic === true ? { catalog: SYNTHETIC_CATALOG } : {}),
      (err: unknown) => {
        assert.ok(err instanceof PostgrestError, String(err));
        assert.deepEqual([err.code, err.status], [c.code, c.status], err.message);
        if (c.message !== undefined) assert.equal(err.message, c.message);
        return true;
      },
    );
  });
}

Deno.test("planRequest() refuses a request for another schema than the catalog's with PGRST106", async () => {
  const request = await apiRequest("people");
  assert.throws(() => planRequest(request, SYNTHETIC_CATALOG), (err: unknown) => {
    assert.ok(err instanceof PostgrestError);
    assert.deepEqual([err.code, err.status], ["PGRST106", 406]);
    return true;
  });
});

Deno.test("planRequest() allows sum(), avg(), min(), max() when aggregates are enabled", async () => {
  const plan = await planFor("opportunities?select=stage_id,amount.sum(),probability.avg()", {}, {
    aggregates: true,
  });
  assert.equal(plan.kind, "read");
  assert.deepEqual(
    plan.kind === "read" && plan.root.select.map((item) => item.kind === "field" && item.name),
    [
      "stage_id",
      "sum",
      "avg",
    ],
  );
});

Deno.test("planRequest() plans a read with its output preferences", async () => {
  const plan = await planFor("contacts?select=id", {
    method: "HEAD",
    headers: { prefer: "count=exact", accept: "application/vnd.pgrst.object+json;nulls=stripped" },
  });
  assert.deepEqual(
    plan.kind === "read" && [plan.head, plan.count, plan.media, plan.stripNulls, plan.schema],
    [true, "exact", "object", true, "public"],
  );
});

Deno.test("planRequest() intersects limit/offset with Range and caps at maxRows", async () => {
  const ranged = await planFor("contacts?offset=20&limit=20", { headers: { range: "0-24" } });
  assert.deepEqual(ranged.kind === "read" && ranged.root.range, { offset: 20, limit: 5 });
  const capped = await planFor("contacts", {}, { maxRows: 100 });
  assert.deepEqual(capped.kind === "read" && capped.root.range, { offset: 0, limit: 100 });
  const under = await planFor("contacts?limit=5", {}, { maxRows: 100 });
  assert.deepEqual(under.kind === "read" && under.root.range, { offset: 0, limit: 5 });
});

Deno.test("planRequest() plans the catalog snapshot's every table", async () => {
  for (const table of catalog.tables) {
    const plan = await planFor(`${table.name}?select=*`);
    assert.equal(plan.kind === "read" && plan.root.table, table.name);
  }
});
