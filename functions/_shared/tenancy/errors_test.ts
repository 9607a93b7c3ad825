import assert from "node:assert/strict";
import { PostgrestError } from "../errors/postgrest_error.ts";
import {
  DIRECTORY_UNAVAILABLE_MESSAGE,
  TENANT_SUSPENDED_MESSAGE,
  TenantAccessError,
  TenantDirectoryUnavailableError,
} from "./errors.ts";

Deno.test("TenantAccessError maps each reason to its code, status and message", () => {
  const cases = [
    ["tenant_required", "TR401", 400, /^Tenant required: /],
    ["not_accessible", "TR403", 403, /^Cannot access tenant: it does not exist or you are not a member$/],
    ["suspended", "TR403", 403, new RegExp(`^${TENANT_SUSPENDED_MESSAGE}$`)],
  ] as const;
  for (const [reason, code, status, message] of cases) {
    const error = new TenantAccessError(reason);
    assert.ok(error instanceof PostgrestError);
    assert.equal(error.reason, reason);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    assert.match(error.message, message);
    assert.equal(error.name, "TenantAccessError");
  }
});

Deno.test("TenantDirectoryUnavailableError answers 503 with Retry-After and never its cause", async () => {
  const error = new TenantDirectoryUnavailableError({
    cause: new Error("connect ECONNREFUSED postgresql://postgres:pw@db:5432/postgres"),
  });
  const response = error.toResponse();
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "5");
  const body = await response.json();
  assert.deepEqual(body, {
    code: "TR503",
    message: DIRECTORY_UNAVAILABLE_MESSAGE,
    details: null,
    hint: null,
  });
});
