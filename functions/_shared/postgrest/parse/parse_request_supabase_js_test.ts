// Every request supabase-js 2.119 sends for 51 query-builder calls (recorded at the gateway's base URL,
// testdata/supabase-js-requests.json) must parse, except the few that PostgREST itself refuses.
import assert from "node:assert/strict";
import { functionPath } from "../../http/mod.ts";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { parseRequest } from "./parse_request.ts";
import type { ApiRequest, SelectItem } from "./request.ts";
import { cmp, col, embed, field, filter, key } from "../testdata/helpers.ts";

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

const recording: { client: string; cases: RecordedCase[] } = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/supabase-js-requests.json", import.meta.url)),
);

/**
 * The recorded requests the gateway refuses, with why. Everything else must parse.
 */
const REFUSED: Readonly<Record<string, { code: string; status: number; why: string }>> = {
  // `created::created_at::text`: after the cast `::created_at` only an aggregate may take a second cast.
  // PostgREST's grammar reads it as a cast to a type named created_at and the query then fails; the call
  // is a typo for `created:created_at::text`. Either way a 400.
  "select alias and cast": { code: "PGRST100", status: 400, why: "a second cast without an aggregate" },
  // `db.schema("api")` sends Accept-Profile: api; only public is exposed, as PostgREST answers.
  "schema": { code: "PGRST106", status: 406, why: "schema api is not exposed" },
};

function toRequest(recorded: RecordedRequest): Request {
  const url = new URL(`http://127.0.0.1:54321${recorded.path}`);
  for (const [name, value] of recorded.query) url.searchParams.append(name, value);
  const body = recorded.body === undefined ? null : JSON.stringify(recorded.body);
  return new Request(url, { method: recorded.method, headers: recorded.headers, body });
}

function parse(recorded: RecordedRequest): Promise<ApiRequest> {
  const request = toRequest(recorded);
  return parseRequest(request, { path: functionPath(new URL(request.url), "tenant-data") });
}

const parsed = new Map<string, ApiRequest>();

Deno.test("the supabase-js recording has 51 cases of one request each", () => {
  assert.equal(recording.client, "@supabase/supabase-js@2.119.0");
  assert.equal(recording.cases.length, 51);
  assert.ok(recording.cases.every((c) => c.requests.length === 1));
  assert.deepEqual(Object.keys(REFUSED).filter((name) => !recording.cases.some((c) => c.name === name)), []);
});

for (const recorded of recording.cases) {
  const [request] = recorded.requests;
  if (request === undefined) continue;
  const refused = REFUSED[recorded.name];
  if (refused === undefined) {
    Deno.test(`parseRequest() accepts supabase-js' ${recorded.name}: ${recorded.call.replaceAll(/\s+/g, " ")}`, async () => {
      parsed.set(recorded.name, await parse(request));
    });
  } else {
    Deno.test(`parseRequest() refuses supabase-js' ${recorded.name} with ${refused.status} ${refused.code}: ${refused.why}`, async () => {
      await assert.rejects(parse(request), (err: unknown) => {
        assert.ok(err instanceof PostgrestError, String(err));
        assert.deepEqual([err.code, err.status], [refused.code, refused.status]);
        return true;
      });
    });
  }
}

async function get(name: string): Promise<ApiRequest> {
  const found = parsed.get(name);
  if (found !== undefined) return found;
  const recorded = recording.cases.find((c) => c.name === name)?.requests[0];
  assert.ok(recorded, name);
  return await parse(recorded);
}

const selects: [name: string, expected: SelectItem[]][] = [
  ["select all", [{ kind: "star" }]],
  ["select json path", [
    col("id"),
    col(field("address", key("->>", "city")), { alias: "city" }),
    col(field("address", key("->", "geo")), { alias: "geo" }),
  ]],
  ["embed fk hint", [
    col("id"),
    embed("venues", [col("name")], { alias: "venue", hint: "events_venue_id_fkey" }),
  ]],
  ["embed inner with filter", [col("id"), embed("contacts", [col("id")], { join: "inner" })]],
  ["embed nested", [
    col("id"),
    embed("opportunities", [
      col("id"),
      embed("opportunity_line_items", [col("id"), col("quantity"), embed("products", [col("name")])]),
    ]),
  ]],
  ["embed count", [col("id"), embed("contacts", [{ kind: "count", alias: null, cast: null, bare: true }])]],
];

for (const [name, expected] of selects) {
  Deno.test(`supabase-js' ${name} parses to the expected select`, async () => {
    assert.deepEqual((await get(name)).query.select, expected);
  });
}

Deno.test("supabase-js' filters parse to the expected operations", async () => {
  assert.deepEqual((await get("neq gt gte lt lte")).query.filters, [
    filter("stage", cmp("neq", "lost")),
    filter("amount", cmp("gt", "10")),
    filter("amount", cmp("gte", "11")),
    filter("amount", cmp("lt", "1000")),
    filter("amount", cmp("lte", "999")),
  ]);
  assert.deepEqual((await get("like ilike")).query.filters, [
    filter("email", cmp("like", "%@acme.test")),
    filter("last_name", cmp("ilike", "o'br%")),
  ]);
  assert.deepEqual((await get("in")).query.filters, [
    filter("id", { kind: "in", values: ["a", "b,c", 'd"e'] }),
  ]);
  assert.deepEqual((await get("contains jsonb")).query.filters, [
    filter("address", cmp("cs", '{"country":"DE"}')),
  ]);
  assert.deepEqual((await get("not")).query.filters, [filter("email", { kind: "is", value: "null" }, true)]);
  assert.deepEqual((await get("textSearch")).query.filters, [
    filter("body", { kind: "fts", operator: "wfts", config: "english", value: "'fat' & 'cat'" }),
  ]);
  assert.deepEqual((await get("embed inner with filter")).query.filters, [
    { path: ["contacts"], field: field("email"), negated: false, operation: cmp("eq", "a@b.c") },
  ]);
});

Deno.test("supabase-js' or on an embedded resource parses to a logic tree on that path", async () => {
  const [logic] = (await get("or on embedded")).query.logic;
  assert.deepEqual(logic?.path, ["contacts"]);
  assert.deepEqual(logic?.tree.operator, "or");
  const nested = (await get("or nested and")).query.logic[0]?.tree.children[1];
  assert.equal(nested?.kind === "logic" && nested.operator, "and");
});

Deno.test("supabase-js' order, limit and range parse to terms and ranges", async () => {
  assert.deepEqual((await get("order multiple")).query.order, [{
    path: [],
    terms: [
      { kind: "field", relation: null, field: field("last_name"), direction: "asc", nulls: null },
      { kind: "field", relation: null, field: field("created_at"), direction: "desc", nulls: "first" },
    ],
  }]);
  assert.deepEqual((await get("order embedded")).query.order[0]?.path, ["contacts"]);
  assert.deepEqual((await get("limit embedded")).query.ranges, [{ path: ["contacts"], limit: 2, offset: 0 }]);
  assert.deepEqual((await get("range")).query.ranges, [{ path: [], limit: 20, offset: 20 }]);
});

Deno.test("supabase-js' head, count, single and csv parse to method, preferences and accept", async () => {
  const head = await get("count exact head");
  assert.deepEqual([head.method, head.action, head.preferences.count], ["HEAD", "read", "exact"]);
  assert.equal((await get("count planned")).preferences.count, "planned");
  assert.deepEqual((await get("single")).accept, { media: "object", stripNulls: false });
  assert.deepEqual((await get("maybeSingle")).accept, { media: "json", stripNulls: false });
  assert.deepEqual((await get("csv")).accept, { media: "csv", stripNulls: false });
});

Deno.test("supabase-js' writes parse to actions, bodies and preferences", async () => {
  const many = await get("insert many default missing");
  assert.deepEqual([many.action, many.query.columns, many.preferences.missing], ["create", [
    "first_name",
    "email",
  ], "default"]);
  assert.deepEqual(many.body?.value, [{ first_name: "A" }, { email: "b@x" }]);
  assert.deepEqual(many.body?.keys, ["first_name", "email"]);
  const upsert = await get("upsert returning single");
  assert.deepEqual(
    [upsert.query.onConflict, upsert.preferences.resolution, upsert.preferences.return, upsert.accept.media],
    [["sku"], "merge-duplicates", "representation", "object"],
  );
  assert.equal((await get("upsert on_conflict ignore")).preferences.resolution, "ignore-duplicates");
  const update = await get("update returning");
  assert.deepEqual([update.action, update.body?.value, update.query.select], ["update", {
    last_name: "Byron",
  }, [
    col("id"),
    col("last_name"),
  ]]);
  const remove = await get("delete returning count");
  assert.deepEqual([remove.action, remove.body, remove.preferences.count, remove.preferences.return], [
    "delete",
    null,
    "exact",
    "representation",
  ]);
});

Deno.test("supabase-js' rpc calls parse to call actions (the planner decides whether to serve them)", async () => {
  const post = await get("rpc");
  assert.deepEqual([post.action, post.resource, post.body?.value], ["call", {
    kind: "rpc",
    name: "search_contacts",
  }, {
    q: "ada",
  }]);
  const read = await get("rpc get");
  assert.deepEqual([read.method, read.action, read.resource.name, read.body], [
    "GET",
    "call",
    "schema_version",
    null,
  ]);
});
