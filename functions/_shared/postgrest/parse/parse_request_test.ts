import assert from "node:assert/strict";
import { PostgrestError } from "../../errors/postgrest_error.ts";
import { parseRequest, type ParseRequestOptions } from "./parse_request.ts";
import type { ApiRequest } from "./request.ts";
import { cmp, col, filter } from "../testdata/helpers.ts";

const BASE = "http://127.0.0.1:54321/functions/v1/tenant-data";

/** A request; a body is sent as application/json unless the headers say otherwise (fetch would say text/plain). */
function request(
  method: string,
  path: string,
  init: { query?: string; headers?: HeadersInit; body?: string } = {},
) {
  const url = `${BASE}${path}${init.query === undefined ? "" : `?${init.query}`}`;
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", "application/json");
  }
  return new Request(url, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
}

function parse(req: Request, options: Partial<ParseRequestOptions> = {}): Promise<ApiRequest> {
  const path = new URL(req.url).pathname.replace("/functions/v1/tenant-data", "");
  return parseRequest(req, { path, ...options });
}

async function rejects(promise: Promise<unknown>, code: string, status: number): Promise<PostgrestError> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    assert.ok(err instanceof PostgrestError, String(err));
    assert.deepEqual([err.code, err.status], [code, status]);
    return true;
  });
  return caught as PostgrestError;
}

Deno.test("parseRequest() parses a read of a table", async () => {
  const parsed = await parse(request("GET", "/rest/v1/contacts", { query: "select=id&id=eq.1&limit=5" }));
  assert.deepEqual(parsed, {
    method: "GET",
    action: "read",
    resource: { kind: "table", name: "contacts" },
    schema: "public",
    query: {
      select: [col("id")],
      filters: [filter("id", cmp("eq", "1"))],
      logic: [],
      order: [],
      ranges: [{ path: [], limit: 5, offset: 0 }],
      onConflict: null,
      columns: null,
      rpcArgs: [],
    },
    preferences: {
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
    },
    accept: { media: "json", stripNulls: false },
    range: null,
    body: null,
  });
});

Deno.test("parseRequest() parses HEAD as a read", async () => {
  const parsed = await parse(request("HEAD", "/rest/v1/contacts"));
  assert.deepEqual([parsed.method, parsed.action], ["HEAD", "read"]);
});

Deno.test("parseRequest() percent-decodes the table name", async () => {
  const parsed = await parse(request("GET", "/rest/v1/my%20table%C3%A9"));
  assert.deepEqual(parsed.resource, { kind: "table", name: "my tableé" });
});

Deno.test("parseRequest() parses an RPC read with arguments in the query string", async () => {
  const parsed = await parse(request("GET", "/rest/v1/rpc/search", { query: "q=ada&id=eq.1" }));
  assert.deepEqual([parsed.action, parsed.resource], ["call", { kind: "rpc", name: "search" }]);
  assert.deepEqual(parsed.query.rpcArgs, [["q", "ada"]]);
  assert.deepEqual(parsed.query.filters, [filter("id", cmp("eq", "1"))]);
  assert.equal(parsed.body, null);
});

Deno.test("parseRequest() parses an RPC call with a JSON body, empty meaning no arguments", async () => {
  const withArgs = await parse(request("POST", "/rest/v1/rpc/search", { body: '{"q":"ada"}' }));
  assert.deepEqual([withArgs.action, withArgs.body?.keys], ["call", ["q"]]);
  const without = await parse(request("POST", "/rest/v1/rpc/now"));
  assert.deepEqual(without.body, { kind: "object", value: {}, keys: [], raw: "{}" });
});

Deno.test("parseRequest() parses an insert, an update and a delete", async () => {
  const insert = await parse(request("POST", "/rest/v1/contacts", {
    query: "columns=first_name,email",
    headers: { "content-type": "application/json", prefer: "return=representation" },
    body: '[{"first_name":"A"},{"email":"b@x"}]',
  }));
  assert.deepEqual([insert.action, insert.body?.kind, insert.body?.keys], ["create", "array", [
    "first_name",
    "email",
  ]]);
  assert.equal(insert.preferences.return, "representation");
  const update = await parse(
    request("PATCH", "/rest/v1/contacts", { query: "id=eq.x", body: '{"last_name":"Byron"}' }),
  );
  assert.deepEqual([update.action, update.body?.value], ["update", { last_name: "Byron" }]);
  const remove = await parse(request("DELETE", "/rest/v1/contacts", { query: "id=eq.x", body: "not json" }));
  assert.deepEqual([remove.action, remove.body], ["delete", null]);
});

const refused: [name: string, make: () => Request, code: string, status: number][] = [
  ["a path outside /rest/v1", () => request("GET", "/graphql/v1"), "PGRST125", 404],
  ["a path that only starts like /rest/v1", () => request("GET", "/rest/v10/contacts"), "PGRST125", 404],
  ["the root", () => request("GET", "/rest/v1"), "PGRST126", 404],
  ["the root with a slash", () => request("GET", "/rest/v1/"), "PGRST126", 404],
  ["a nested path", () => request("GET", "/rest/v1/contacts/1"), "PGRST125", 404],
  ["a trailing slash", () => request("GET", "/rest/v1/contacts/"), "PGRST125", 404],
  ["an RPC without a name", () => request("POST", "/rest/v1/rpc/"), "PGRST125", 404],
  ["a malformed percent-encoding", () => request("GET", "/rest/v1/a%E0%A4%A"), "PGRST125", 404],
  ["a NUL in the name", () => request("GET", "/rest/v1/a%00b"), "PGRST125", 404],
  ["PUT", () => request("PUT", "/rest/v1/contacts", { body: "{}" }), "PGRST117", 405],
  ["OPTIONS", () => request("OPTIONS", "/rest/v1/contacts"), "PGRST117", 405],
  ["a custom method", () => request("PURGE", "/rest/v1/contacts"), "PGRST117", 405],
  ["PATCH to an RPC", () => request("PATCH", "/rest/v1/rpc/f", { body: "{}" }), "PGRST101", 405],
  ["DELETE to an RPC", () => request("DELETE", "/rest/v1/rpc/f"), "PGRST101", 405],
  ["an unparsable query", () => request("GET", "/rest/v1/t", { query: "id=eqq.1" }), "PGRST100", 400],
  [
    "an unavailable media type",
    () => request("GET", "/rest/v1/t", { headers: { accept: "text/html" } }),
    "PGRST107",
    406,
  ],
  [
    "a schema that is not exposed",
    () => request("GET", "/rest/v1/t", { headers: { "accept-profile": "private" } }),
    "PGRST106",
    406,
  ],
  [
    "an invalid range",
    () => request("GET", "/rest/v1/t", { headers: { range: "items=9-0" } }),
    "PGRST103",
    416,
  ],
  [
    "strict unknown preferences",
    () => request("GET", "/rest/v1/t", { headers: { prefer: "handling=strict,x" } }),
    "PGRST122",
    400,
  ],
  [
    "a text body, as fetch labels a string",
    () => new Request(`${BASE}/rest/v1/t`, { method: "POST", body: "{}" }),
    "PGRST102",
    400,
  ],
  [
    "a CSV body",
    () => request("POST", "/rest/v1/t", { headers: { "content-type": "text/csv" }, body: "a\n1" }),
    "PGRST102",
    400,
  ],
  ["invalid JSON", () => request("POST", "/rest/v1/t", { body: "{" }), "PGRST102", 400],
  ["an empty insert", () => request("POST", "/rest/v1/t"), "PGRST102", 400],
  ["an array update", () => request("PATCH", "/rest/v1/t", { body: "[{}]" }), "PGRST102", 400],
];

for (const [name, make, code, status] of refused) {
  Deno.test(`parseRequest() refuses ${name} with ${status} ${code}`, async () => {
    await rejects(parse(make()), code, status);
  });
}

Deno.test("parseRequest() tells a 405 which methods are allowed", async () => {
  const table = await rejects(parse(request("PUT", "/rest/v1/t", { body: "{}" })), "PGRST117", 405);
  assert.equal(table.headers.allow, "GET, HEAD, POST, PATCH, DELETE");
  assert.equal(table.message, 'Unsupported HTTP method: "PUT"');
  const rpc = await rejects(parse(request("PATCH", "/rest/v1/rpc/f", { body: "{}" })), "PGRST101", 405);
  assert.equal(rpc.headers.allow, "GET, HEAD, POST");
  assert.equal(rpc.message, "Cannot use the PATCH method on RPC");
});

Deno.test("parseRequest() refuses a body over maxBodyBytes with 413 TR413", async () => {
  await rejects(
    parse(request("POST", "/rest/v1/t", { body: `{"a":"${"x".repeat(100)}"}` }), { maxBodyBytes: 64 }),
    "TR413",
    413,
  );
});

Deno.test("parseRequest() checks the path before the method, and the method before the query", async () => {
  await rejects(parse(request("PUT", "/nowhere", { query: "id=eqq.1", body: "{}" })), "PGRST125", 404);
  await rejects(parse(request("PUT", "/rest/v1/t", { query: "id=eqq.1", body: "{}" })), "PGRST117", 405);
});

Deno.test("parseRequest() does not read the body of a request refused earlier", async () => {
  const req = request("POST", "/rest/v1/t", { query: "id=eqq.1", body: "{}" });
  await rejects(parse(req), "PGRST100", 400);
  assert.equal(req.bodyUsed, false);
});

Deno.test("parseRequest() takes the exposed schemas as an option", async () => {
  const parsed = await parse(request("GET", "/rest/v1/t", { headers: { "accept-profile": "api" } }), {
    schemas: ["public", "api"],
  });
  assert.equal(parsed.schema, "api");
});
