/**
 * `check`: for every tenant, can its data source be decrypted and reached, is its schema current, and
 * how many rows does the tenant have there.
 *
 * @module
 */
import postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import type { Queryable } from "../data_sources/mod.ts";
import type { DataSourceRow } from "./find_data_source.ts";
import { openDataSource } from "./open_data_source.ts";
import { type DataSourceTestResult, type ProbeFunction, probeRow } from "./test_data_source.ts";

/** Options of {@linkcode checkTenants}. */
export interface CheckTenantsOptions {
  keyring: Keyring;
  /** The newest tenant-db migration version; without it `current` is not judged. */
  expectedSchemaVersion?: string | undefined;
  /** Default `probeDataSource`. */
  probe?: ProbeFunction | undefined;
  /** Per data source, default 5 seconds. */
  timeoutMs?: number | undefined;
  /** Data sources probed and counted at once (each holds one connection); default 8. */
  concurrency?: number | undefined;
}

/** One tenant's health. */
export interface TenantCheck {
  tenant: string;
  status: string;
  data_source: string | null;
  /** The credentials decrypt for their row. */
  decrypted: boolean;
  /** The data source answered. */
  connected: boolean;
  schema_version: string | null;
  current: boolean | null;
  /** The tenant's rows in its data source, per table; `null` when they could not be counted. */
  rows: number | null;
  row_counts: Record<string, number> | null;
  latency_ms: number | null;
  /** What is wrong; empty when nothing is. Never a secret. */
  problems: string[];
}

/** The outcome of {@linkcode checkTenants}. */
export interface CheckResult {
  ok: boolean;
  expected_schema_version: string | null;
  tenants: TenantCheck[];
  data_sources: DataSourceTestResult[];
}

interface TenantRow {
  id: string;
  slug: string;
  status: string;
  data_source_id: string | null;
}

/**
 * Checks every tenant, probing each data source once (tenants sharing one share its result). A failing
 * data source is a problem of its tenants, never an exception: the report covers everything.
 *
 * @example
 * ```ts
 * const report = await checkTenants(sql, { keyring, expectedSchemaVersion: "20261126140500" });
 * if (!report.ok) Deno.exitCode = 1;
 * ```
 */
export async function checkTenants(tx: Queryable, options: CheckTenantsOptions): Promise<CheckResult> {
  const tenants = await tx<TenantRow[]>`
    select id, slug, status, data_source_id from public.tenants order by slug`;
  const sources = await tx<DataSourceRow[]>`select * from private.data_sources order by name`;
  const defaultSource = sources.find((source) => source.is_default);
  const used = new Map<string, DataSourceRow>();
  for (const tenant of tenants) {
    const source = tenant.data_source_id === null
      ? defaultSource
      : sources.find((s) => s.id === tenant.data_source_id);
    if (source !== undefined) used.set(source.id, source);
  }
  const results = new Map<string, DataSourceTestResult>();
  const counts = new Map<string, Map<string, Record<string, number>> | null>();
  const pending = [...used.values()];
  const concurrency = Math.max(1, options.concurrency ?? 8);
  // A bounded number at a time: a thousand data sources must not mean a thousand connections at once.
  await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, async () => {
    for (let source = pending.shift(); source !== undefined; source = pending.shift()) {
      const result = await probeRow(source, options);
      results.set(source.id, result);
      counts.set(source.id, result.ok ? await countRows(source, options.keyring) : null);
    }
  }));

  const checks = tenants.map((tenant): TenantCheck => {
    const source = tenant.data_source_id === null
      ? defaultSource
      : sources.find((s) => s.id === tenant.data_source_id);
    if (source === undefined) {
      return {
        tenant: tenant.slug,
        status: tenant.status,
        data_source: null,
        decrypted: false,
        connected: false,
        schema_version: null,
        current: null,
        rows: null,
        row_counts: null,
        latency_ms: null,
        problems: ["No default data source is registered"],
      };
    }
    const result = results.get(source.id)!;
    const perTable = counts.get(source.id)?.get(tenant.id) ?? (counts.get(source.id) ? {} : null);
    const problems: string[] = [];
    const decrypted = result.decrypted;
    if (!result.ok && result.error !== null) problems.push(result.error);
    if (source.status === "disabled") problems.push(`Data source "${source.name}" is disabled`);
    if (result.ok && result.current === false) {
      problems.push(
        `Schema version ${result.schema_version} is not current (expected ${options.expectedSchemaVersion})`,
      );
    }
    if (result.ok && source.kind === "postgres" && result.schema_version === null) {
      problems.push("Schema version unknown: provision the data source");
    }
    return {
      tenant: tenant.slug,
      status: tenant.status,
      data_source: source.name,
      decrypted,
      connected: result.ok,
      schema_version: result.schema_version,
      current: result.current,
      rows: perTable === null ? null : Object.values(perTable).reduce((sum, n) => sum + n, 0),
      row_counts: perTable,
      latency_ms: result.latency_ms,
      problems,
    };
  });
  return {
    ok: checks.every((check) => check.problems.length === 0),
    expected_schema_version: options.expectedSchemaVersion ?? null,
    tenants: checks,
    data_sources: [...results.values()].sort((a, b) => a.data_source.localeCompare(b.data_source)),
  };
}

/**
 * Rows per tenant and table of every `public` table with a `tenant_id` column, in a `postgres` data
 * source; `null` when they cannot be counted (Supabase project, no access). Table names come from the
 * catalog and reach SQL only as identifiers.
 */
async function countRows(
  source: DataSourceRow,
  keyring: Keyring,
): Promise<Map<string, Record<string, number>> | null> {
  if (source.kind !== "postgres") return null;
  const opened = await openDataSource(keyring, source);
  if (!opened.ok || opened.credentials.kind !== "postgres") return null;
  let sql: postgres.Sql;
  try {
    sql = postgres(opened.credentials.credentials.url, {
      max: 1,
      prepare: false,
      connect_timeout: 5,
      onnotice: () => {},
      connection: { application_name: "tenant-router-check" },
    });
  } catch {
    return null;
  }
  try {
    const tables = await sql<{ name: string }[]>`
      select c.relname as name
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'p')
      order by c.relname`;
    const byTenant = new Map<string, Record<string, number>>();
    for (const { name } of tables) {
      const rows = await sql<{ tenant_id: string; count: number }[]>`
        select tenant_id::text as tenant_id, count(*)::int as count
        from ${sql("public")}.${sql(name)} group by tenant_id`;
      for (const row of rows) {
        const entry = byTenant.get(row.tenant_id) ?? {};
        entry[name] = row.count;
        byTenant.set(row.tenant_id, entry);
      }
    }
    return byTenant;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
