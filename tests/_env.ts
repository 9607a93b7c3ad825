/**
 * The environment `npm test` gives end-to-end tests: the isolated test stack's URLs and keys.
 *
 * @module
 */

/** URLs and keys of the running test stack. */
export interface TestStack {
  apiUrl: string;
  functionsUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  appDbUrl: string;
  /** Direct: what tests set up and check with, and the data sources' `direct_url`. */
  tenantDbUrls: { tenant_shared: string; tenant_acme: string };
  /** Through the stack's PgBouncer (transaction mode): the data sources' `url`. */
  tenantPoolerUrls: { tenant_shared: string; tenant_acme: string };
}

/** Reads the test stack's environment; fails with what to run when a test is started on its own. */
export function testStack(): TestStack {
  const get = (name: string): string => {
    const value = Deno.env.get(name);
    if (!value) throw new Error(`Missing ${name}: run the end-to-end tests through \`npm test\``);
    return value;
  };
  const apiUrl = get("SUPABASE_URL");
  return {
    apiUrl,
    functionsUrl: `${apiUrl}/functions/v1`,
    anonKey: get("SUPABASE_ANON_KEY"),
    serviceRoleKey: get("SUPABASE_SERVICE_ROLE_KEY"),
    jwtSecret: get("SUPABASE_JWT_SECRET"),
    appDbUrl: get("SUPABASE_DB_URL"),
    tenantDbUrls: { tenant_shared: get("TENANT_SHARED_DB_URL"), tenant_acme: get("TENANT_ACME_DB_URL") },
    tenantPoolerUrls: {
      tenant_shared: get("TENANT_SHARED_POOLER_URL"),
      tenant_acme: get("TENANT_ACME_POOLER_URL"),
    },
  };
}
