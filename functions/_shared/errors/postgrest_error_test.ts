import assert from "node:assert/strict";
import { PostgrestError } from "./postgrest_error.ts";

Deno.test("PostgrestError takes its status and message from the code table", () => {
  const err = new PostgrestError("PGRST116", undefined, { details: "The result contains 0 rows" });
  assert.ok(err instanceof Error);
  assert.deepEqual([err.code, err.status, err.message, err.details, err.hint], [
    "PGRST116",
    406,
    "Cannot coerce the result to a single JSON object",
    "The result contains 0 rows",
    null,
  ]);
  assert.equal(String(err), "PostgrestError: Cannot coerce the result to a single JSON object");
});

Deno.test("PostgrestError takes a SQLSTATE code with an explicit status", () => {
  const err = new PostgrestError("23505", "duplicate key value violates unique constraint", { status: 409 });
  assert.deepEqual([err.code, err.status], ["23505", 409]);
});

Deno.test("PostgrestError.toResponse() renders PostgREST's body and status", async () => {
  const response = new PostgrestError("PGRST100", 'Cannot parse select: unexpected "(" at position 12', {
    details: 'Query parameter: "select"',
    hint: "Check the parentheses",
  }).toResponse();
  assert.equal(response.status, 400);
  assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
  assert.deepEqual(await response.json(), {
    code: "PGRST100",
    message: 'Cannot parse select: unexpected "(" at position 12',
    details: 'Query parameter: "select"',
    hint: "Check the parentheses",
  });
});

Deno.test("PostgrestError.toResponse() renders absent details and hint as null", async () => {
  assert.deepEqual(await new PostgrestError("PGRST125").toResponse().json(), {
    code: "PGRST125",
    message: "Invalid path specified in request URL",
    details: null,
    hint: null,
  });
});

Deno.test("PostgrestError adds Retry-After to the data-source codes, and takes another value", () => {
  assert.equal(new PostgrestError("TR503").toResponse().headers.get("retry-after"), "10");
  assert.equal(new PostgrestError("TR504").toResponse().headers.get("retry-after"), "5");
  const response = new PostgrestError("TR503", undefined, { retryAfter: 2.2 }).toResponse();
  assert.deepEqual([response.status, response.headers.get("retry-after")], [503, "3"]);
  assert.equal(new PostgrestError("PGRST100").toResponse().headers.get("retry-after"), null);
});

Deno.test("PostgrestError adds WWW-Authenticate: Bearer to a 401 unless given one", () => {
  assert.equal(new PostgrestError("PGRST302").toResponse().headers.get("www-authenticate"), "Bearer");
  const invalid = new PostgrestError("PGRST301", "JWT expired", {
    headers: { "WWW-Authenticate": 'Bearer error="invalid_token", error_description="JWT expired"' },
  });
  assert.equal(
    invalid.toResponse().headers.get("www-authenticate"),
    'Bearer error="invalid_token", error_description="JWT expired"',
  );
  assert.equal(new PostgrestError("TR403").toResponse().headers.get("www-authenticate"), null);
});

Deno.test("PostgrestError never renders its cause or stack", async () => {
  const err = new PostgrestError("PGRSTX00", undefined, {
    cause: new Error("select secret from vault where x = $1"),
  });
  const text = await err.toResponse().text();
  assert.ok(!text.includes("secret"), text);
  assert.ok(!text.includes("at "), text);
  assert.deepEqual(JSON.parse(text), {
    code: "PGRSTX00",
    message: "Internal server error",
    details: null,
    hint: null,
  });
});

Deno.test("PostgrestError serialises as PostgREST's body with JSON.stringify", () => {
  assert.equal(
    JSON.stringify(new PostgrestError("TR401")),
    '{"code":"TR401","message":"Tenant required: you belong to several tenants, send x-tenant-id with the one to use","details":null,"hint":null}',
  );
});
