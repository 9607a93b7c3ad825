import assert from "node:assert/strict";
import * as postgrest from "./mod.ts";

Deno.test("mod.ts exports the parse stage, the error type and the limits", () => {
  for (
    const name of [
      "parseRequest",
      "parseQuery",
      "parseSelect",
      "parseFilter",
      "parseLogic",
      "parseOrder",
      "parseHeaders",
      "parsePrefer",
      "parseAccept",
      "parseRange",
      "parseContentType",
      "parseBody",
      "readBody",
      "statusForSqlState",
      "databaseError",
      "isErrorCode",
    ] as const
  ) {
    assert.equal(typeof postgrest[name], "function", name);
  }
  assert.equal(typeof postgrest.PostgrestError, "function");
  assert.equal(typeof postgrest.QuerySyntaxError, "function");
  assert.equal(postgrest.ERROR_CODES.PGRST100.status, 400);
  assert.equal(postgrest.MAX_LIMIT, 10_000);
  assert.equal(postgrest.API_PREFIX, "/rest/v1");
});

Deno.test("mod.ts is the documented entry point: a parse error becomes a PostgREST response", async () => {
  const request = new Request("http://h/functions/v1/tenant-data/rest/v1/contacts?id=eqq.1");
  const response = await postgrest.parseRequest(request, { path: "/rest/v1/contacts" }).then(
    () => new Response(null, { status: 200 }),
    (err: unknown) => err instanceof postgrest.PostgrestError ? err.toResponse() : Promise.reject(err),
  );
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    code: "PGRST100",
    message: 'Cannot parse filter: unknown operator "eqq" at position 4',
    details: 'Query parameter: "id"',
    hint:
      'Use one of: eq, gt, gte, lt, lte, like, ilike, match, imatch, neq, cs, cd, ov, sl, sr, nxr, nxl, adj, in, is, isdistinct, fts, plfts, phfts, wfts; optionally after "not."',
  });
});

Deno.test("mod.ts exports the plan and sql stages", () => {
  for (
    const name of [
      "loadCatalog",
      "findTable",
      "findColumn",
      "relationshipsFrom",
      "findRelationship",
      "planRequest",
      "buildQuery",
    ] as const
  ) {
    assert.equal(typeof postgrest[name], "function", name);
  }
  assert.deepEqual(postgrest.DEFAULT_SCOPE_COLUMNS, ["tenant_id"]);
});
