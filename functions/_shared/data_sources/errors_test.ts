import assert from "node:assert/strict";
import { PostgrestError } from "../errors/postgrest_error.ts";
import { DataSourceUnavailableError } from "./errors.ts";

Deno.test("DataSourceUnavailableError answers 503 TR503 with Retry-After and a fixed body", async () => {
  const cause = new Error("connect ECONNREFUSED 10.0.0.7:5432 (postgresql://app:pw@10.0.0.7/x)");
  const error = new DataSourceUnavailableError({
    dataSourceId: "4f1a0000-0000-4000-8000-000000000001",
    reason: "connection",
    retryAfterSeconds: 4.2,
    cause,
  });
  assert.ok(error instanceof PostgrestError);
  assert.equal(error.retryAfterSeconds, 5);
  assert.equal(error.cause, cause);
  const response = error.toResponse();
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "5");
  const body = await response.text();
  assert.deepEqual(JSON.parse(body), {
    code: "TR503",
    message: "Data source unavailable: try again later",
    details: null,
    hint: null,
  });
  assert.ok(!body.includes("10.0.0.7") && !body.includes("pw"));
});

Deno.test("DataSourceUnavailableError waits at least one second and defaults to ten", () => {
  assert.equal(
    new DataSourceUnavailableError({ dataSourceId: null, reason: "missing" }).retryAfterSeconds,
    10,
  );
  const soon = new DataSourceUnavailableError({
    dataSourceId: null,
    reason: "circuit_open",
    retryAfterSeconds: 0,
  });
  assert.equal(soon.retryAfterSeconds, 1);
  assert.equal(soon.name, "DataSourceUnavailableError");
});
