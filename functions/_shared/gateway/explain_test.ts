import assert from "node:assert/strict";
import { type ApiRequest, parseAccept, PostgrestError } from "../postgrest/mod.ts";
import { explainOf, explainStatement, planResponse } from "./explain.ts";

function requestAccepting(accept: string): ApiRequest {
  return { accept: parseAccept(accept), method: "GET" } as unknown as ApiRequest;
}

const EXPLAIN_JSON = 'application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose;';

Deno.test("explainOf() leaves a request without a plan alone", () => {
  const request = requestAccepting("application/json");
  assert.deepEqual(explainOf(request, true), { request, explain: null });
});

Deno.test("explainOf() refuses a plan with PostgREST's PGRST107 while plans are off", () => {
  assert.throws(() => explainOf(requestAccepting(EXPLAIN_JSON), false), (err: unknown) => {
    assert.ok(err instanceof PostgrestError);
    assert.deepEqual([err.status, err.code, err.message, err.hint], [
      406,
      "PGRST107",
      'None of these media types are available: application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose',
      null,
    ]);
    return true;
  });
});

Deno.test("explainOf() falls back to the next acceptable media type while plans are off", () => {
  const { request, explain } = explainOf(requestAccepting(`${EXPLAIN_JSON}, text/csv;q=0.5`), false);
  assert.equal(explain, null);
  assert.deepEqual(request.accept, { media: "csv", stripNulls: false });
});

Deno.test("explainOf() plans the rows' media and returns the EXPLAIN asked for when plans are on", () => {
  const { request, explain } = explainOf(requestAccepting(EXPLAIN_JSON), true);
  assert.deepEqual(request.accept, { media: "json", stripNulls: false });
  assert.deepEqual([explain?.format, explain?.options], ["json", ["analyze", "verbose"]]);
});

Deno.test("explainStatement() prefixes the statement and keeps its parameters", () => {
  const explain = parseAccept(EXPLAIN_JSON).plan!;
  assert.deepEqual(explainStatement({ text: "SELECT $1::int", params: ["1"] }, explain), {
    text: "EXPLAIN (FORMAT JSON, ANALYZE, VERBOSE) SELECT $1::int",
    params: ["1"],
  });
  const text = parseAccept("application/vnd.pgrst.plan").plan!;
  assert.equal(explainStatement({ text: "SELECT 1" }, text).text, "EXPLAIN (FORMAT TEXT) SELECT 1");
});

Deno.test("planResponse() answers text lines or the JSON plan with PostgREST's content type", async () => {
  const text = planResponse(
    [{ "QUERY PLAN": "Seq Scan on t" }, { "QUERY PLAN": "  Filter: (a = 1)" }],
    parseAccept(
      "application/vnd.pgrst.plan",
    ).plan!,
    "GET",
  );
  assert.equal(text.status, 200);
  assert.equal(
    text.headers.get("content-type"),
    'application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8',
  );
  assert.equal(await text.text(), "Seq Scan on t\n  Filter: (a = 1)");
  const json = planResponse(
    [{ "QUERY PLAN": [{ Plan: { "Node Type": "Result" } }] }],
    parseAccept(EXPLAIN_JSON).plan!,
    "GET",
  );
  assert.deepEqual(await json.json(), [{ Plan: { "Node Type": "Result" } }]);
  const head = planResponse([{ "QUERY PLAN": "Result" }], parseAccept(EXPLAIN_JSON).plan!, "HEAD");
  assert.equal(await head.text(), "");
});
