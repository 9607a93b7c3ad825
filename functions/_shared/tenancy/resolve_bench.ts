// Cached versus uncached tenant resolution against the local stack:
// `deno bench -A functions/_shared/tenancy/resolve_bench.ts` with SUPABASE_DB_URL and the encryption keys
// set (the same variables the tests read). Uncached means TTL 0: every resolution reads the user's
// memberships and the data source row (credentials stay decrypted: they are keyed by their ciphertext).
import { testDatabases } from "../data_sources/testdata/helpers.ts";
import { TenantDirectory } from "./directory.ts";
import { USERS } from "./testdata/helpers.ts";

const databases = await testDatabases().catch(() => undefined);

if (databases === undefined) {
  console.warn("resolve_bench.ts: set SUPABASE_DB_URL, TENANT_*_DB_URL and TENANT_ENCRYPTION_KEYS to run it");
} else {
  const cached = new TenantDirectory({ databaseUrl: databases.appUrl, keyring: databases.keyring });
  const uncached = new TenantDirectory({
    databaseUrl: databases.appUrl,
    keyring: databases.keyring,
    ttlMs: 0,
  });
  cached.start();
  while (!cached.listening) await new Promise((resolve) => setTimeout(resolve, 10));
  const request = { userId: USERS.olivia, requestedTenant: "globex" };
  await cached.resolveTenant(request);
  await uncached.resolveTenant(request);

  Deno.bench({
    name: "resolveTenant(), uncached (TTL 0: two queries)",
    group: "resolveTenant",
    baseline: true,
    async fn() {
      await uncached.resolveTenant(request);
    },
  });
  Deno.bench({
    name: "resolveTenant(), cached",
    group: "resolveTenant",
    async fn() {
      await cached.resolveTenant(request);
    },
  });

  globalThis.addEventListener("unload", () => {
    void cached.close({ timeout: 0 });
    void uncached.close({ timeout: 0 });
  });
}
