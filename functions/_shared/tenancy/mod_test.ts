import assert from "node:assert/strict";
import * as mod from "./mod.ts";

Deno.test("mod.ts exports the public API", () => {
  assert.deepEqual(Object.keys(mod).sort(), [
    "CONFIG_CHANNEL",
    "DATABASE_URL_VARIABLE",
    "DEFAULT_DIRECTORY_TTL_MS",
    "DEFAULT_MAX_USERS",
    "DIRECTORY_RETRY_AFTER_SECONDS",
    "DIRECTORY_UNAVAILABLE_MESSAGE",
    "TENANT_SUSPENDED_MESSAGE",
    "TenantAccessError",
    "TenantDirectory",
    "TenantDirectoryUnavailableError",
    "freezeRetryAfterSeconds",
    "writeFenceKey",
    "writesFrozenNow",
  ]);
});
