import assert from "node:assert/strict";
import { type ApiRequest, buildQuery, type Catalog, parseRequest, planRequest } from "../postgrest/mod.ts";
import { requestShape, RequestShapes } from "./_request_shapes.ts";

const catalog: Catalog = JSON.parse(
  await Deno.readTextFile(new URL("../catalog/testdata/catalog.json", import.meta.url)),
);
const build = (request: ApiRequest) => buildQuery(planRequest(request, catalog, { maxRows: 1000 }));
const ID_1 = "c0000000-0000-4000-8000-000000000001";
const ID_2 = "c0000000-0000-4000-8000-000000000002";

function get(query: string, headers: Record<string, string> = {}) {
  const url = new URL(`http://gateway.test/functions/v1/tenant-data/rest/v1/contacts?${query}`);
  const request = new Request(url, { headers });
  return { request, url, path: "/rest/v1/contacts" };
}

async function planned(query: string, headers: Record<string, string> = {}) {
  const original = get(query, headers);
  const request = await parseRequest(original.request, original);
  return { original, request, query: build(request) };
}

async function learnt(shapes: RequestShapes, query: string, headers: Record<string, string> = {}) {
  const first = await planned(query, headers);
  const shape = requestShape(first.original.request, first.original.url, first.original.path, "ds")!;
  await shapes.learn(shape, first.original, { catalog, request: first.request, query: first.query }, build);
  return shapes.get(shape);
}

Deno.test("a recurring read with other operands gets the SQL it would have been planned, values bound", async () => {
  const shapes = new RequestShapes();
  const headers = { accept: "application/vnd.pgrst.object+json" };
  const entry = await learnt(shapes, `select=*&id=eq.${ID_1}&name=neq.a%20b`, headers);
  assert.ok(entry, "the shape is learnt");
  const second = get(`select=*&id=eq.${ID_2}&name=neq.Ann+O%27Neil`, headers);
  const shape = requestShape(second.request, second.url, second.path, "ds")!;
  assert.equal(shapes.get(shape), entry, "the same shape");
  const expected = (await planned(`select=*&id=eq.${ID_2}&name=neq.Ann+O%27Neil`, headers)).query;
  assert.deepEqual(shapes.fill(entry, shape), expected);
  assert.ok(expected.statement.params.includes("Ann O'Neil"), "decoded as the parser decodes");
});

Deno.test("what decides the plan is in the shape's key: columns, operators, patterns, lists, headers, scope", () => {
  const key = (query: string, headers: Record<string, string> = {}, scope = "ds") => {
    const { request, url, path } = get(query, headers);
    return requestShape(request, url, path, scope)?.key;
  };
  const base = key(`id=eq.${ID_1}`);
  assert.equal(key(`id=eq.${ID_2}`), base);
  for (
    const other of [
      key(`id=neq.${ID_1}`),
      key(`name=eq.${ID_1}`),
      key(`id=eq.${ID_1}&limit=5`),
      key(`id=eq.${ID_1}`, { accept: "application/vnd.pgrst.object+json" }),
      key(`id=eq.${ID_1}`, { prefer: "count=exact" }),
      key(`id=eq.${ID_1}`, { range: "0-9" }),
      key(`id=eq.${ID_1}`, {}, "another data source"),
    ]
  ) assert.notEqual(other, base);
  // Operands that are patterns, lists or keywords stay in the key: each value is its own shape.
  assert.notEqual(key("name=like.a*"), key("name=like.b*"));
  assert.notEqual(key("id=in.(a,b)"), key("id=in.(a,b,c)"));
  assert.notEqual(key("email=is.null"), key("email=is.true"));
  assert.notEqual(key("select=id&limit=1"), key("select=id&limit=2"));
  // A value that only looks like a comparison under a reserved name is not masked either.
  assert.notEqual(key("order=eq.a"), key("order=eq.b"));
  const { request } = get(`id=eq.${ID_1}`);
  const post = new Request(request.url, { method: "POST", body: "{}" });
  assert.equal(requestShape(post, new URL(post.url), "/rest/v1/contacts", "ds"), undefined, "reads only");
});

Deno.test("a shape whose operands do not land verbatim in one parameter each is not cacheable", async () => {
  const shapes = new RequestShapes();
  const first = await planned(`select=id&id=eq.${ID_1}`);
  const shape = requestShape(first.original.request, first.original.url, first.original.path, "ds")!;
  // A builder that transforms the value (as a pattern would): the stand-in is not found verbatim.
  const transforming = (request: ApiRequest) => {
    const query = build(request);
    return {
      ...query,
      statement: { ...query.statement, params: query.statement.params.map((p) => `${p}`.toUpperCase()) },
    };
  };
  await shapes.learn(
    shape,
    first.original,
    { catalog, request: first.request, query: first.query },
    transforming,
  );
  assert.equal(shapes.get(shape), null);
});

Deno.test("a shape is worth learning from its second sighting on", () => {
  const shapes = new RequestShapes();
  const { request, url, path } = get(`id=eq.${ID_1}`);
  const shape = requestShape(request, url, path, "ds")!;
  assert.equal(shapes.recurs(shape), false);
  assert.equal(shapes.recurs(shape), true);
});

Deno.test("an operand nested deeper than the parser allows gets no shape: the parser refuses it", () => {
  const deep = get(`select=id&name=eq.${"[".repeat(1000)}`);
  assert.equal(requestShape(deep.request, deep.url, deep.path, "ds"), undefined);
  const quoted = get(`select=id&name=eq.${encodeURIComponent(JSON.stringify({ a: "[".repeat(1000) }))}`);
  assert.notEqual(requestShape(quoted.request, quoted.url, quoted.path, "ds"), undefined);
});
