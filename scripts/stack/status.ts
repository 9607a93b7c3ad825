/**
 * What `npm run status` prints: URLs, keys, databases, tenants and their data sources, as a table or as
 * the JSON object of CONTRACT.md.
 *
 * @module
 */
import Table from "cli-table3";
import postgres from "postgres";
import { functionsPid } from "./functions_process.ts";
import { apiUrl, APP_DATABASE, databaseUrl, type StackProfile, TENANT_DATABASES } from "./profile.ts";
import type { StackSecrets } from "./secrets.ts";

/** One tenant and where its data lives. */
export interface TenantRoute {
  slug: string;
  status: string;
  data_source: string;
}

/** The status of a local stack. */
export interface StackStatus {
  api_url: string;
  functions_url: string;
  db_url: string;
  tenant_db_urls: Record<string, string>;
  anon_key: string;
  service_role_key: string;
  jwt_secret: string;
  /** Where PostgreSQL keeps this stack's data (outside the checkout when its OS user cannot enter it). */
  pg_data_dir: string;
  database_running: boolean;
  functions_running: boolean;
  tenants: TenantRoute[];
}

/** Collects the stack's status; reads tenants from the application database when it is up. */
export async function stackStatus(profile: StackProfile, secrets: StackSecrets): Promise<StackStatus> {
  const tenants = await readTenants(databaseUrl(profile, APP_DATABASE));
  return {
    api_url: apiUrl(profile),
    functions_url: `${apiUrl(profile)}/functions/v1`,
    db_url: databaseUrl(profile, APP_DATABASE),
    tenant_db_urls: Object.fromEntries(TENANT_DATABASES.map((name) => [name, databaseUrl(profile, name)])),
    anon_key: secrets.anonKey,
    service_role_key: secrets.serviceRoleKey,
    jwt_secret: secrets.jwtSecret,
    pg_data_dir: await Deno.realPath(profile.pgDataDir).catch(() => profile.pgDataDir),
    database_running: tenants !== undefined,
    functions_running: (await functionsPid(profile)) !== undefined,
    tenants: tenants ?? [],
  };
}

/**
 * Renders the status for people: one plain line per item (a label, then its value) and a table of tenants.
 * No line ends in spaces, so long keys copy cleanly and narrow terminals wrap only long values.
 */
export function formatStatus(status: StackStatus): string {
  const items: [string, string][] = [
    ["API URL", status.api_url],
    ["Functions", `${status.functions_url}/tenant-data, ${status.functions_url}/tenant-admin`],
    ["Health", `${status.functions_url}/tenant-data/health`],
    ["Database", `${status.db_url} (application)`],
    ...Object.entries(status.tenant_db_urls).map(([name, url]): [string, string] => [`  ${name}`, url]),
    ["PostgreSQL", `${status.database_running ? "running" : "stopped"}, data in ${status.pg_data_dir}`],
    ["Functions server", status.functions_running ? "running" : "stopped"],
    ["JWT secret", `${status.jwt_secret} (Supabase's local default)`],
    ["anon key", status.anon_key],
    ["service_role key", status.service_role_key],
  ];
  const width = Math.max(...items.map(([label]) => label.length)) + 2;
  const lines = items.map(([label, value]) => `${label.padEnd(width)}${value}`.trimEnd());
  const tenants = new Table({ head: ["tenant", "status", "data source"], style: { head: [], border: [] } });
  tenants.push(...status.tenants.map((t) => [t.slug, t.status, t.data_source]));
  const tenantText = status.tenants.length
    ? tenants.toString()
    : "No tenants (database stopped or not migrated)";
  return `${lines.join("\n")}\n\n${tenantText}`.split("\n").map((line) => line.trimEnd()).join("\n");
}

async function readTenants(url: string): Promise<TenantRoute[] | undefined> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    return await sql<TenantRoute[]>`
      select t.slug, t.status::text as status,
             coalesce(ds.name, 'default' || coalesce(' (' || d.name || ')', '')) as data_source
      from public.tenants t
      left join private.data_sources ds on ds.id = t.data_source_id
      left join private.data_sources d on d.is_default
      order by t.slug`;
  } catch (error) {
    // Up but not migrated yet (no such table or schema): no tenants to show. Down: say so.
    return ["42P01", "3F000"].includes((error as { code?: string }).code ?? "") ? [] : undefined;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
