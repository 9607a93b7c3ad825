/**
 * Importing a seed-era tenants table: one row per tenant with its data source's URL and API keys as
 * `iv:authTag:ciphertext` values under the seed's `ENCRYPTION_KEY`. Each is decrypted with
 * {@linkcode openLegacy}, registered as a sealed data source, and the tenant created or routed to it,
 * all in one transaction (or only planned, for a dry run).
 *
 * Columns (first match wins, case-insensitive): slug `slug | subdomain | tenant_slug` (else derived from
 * the name); name `name | tenant_name | company_name` (else the slug); URL `data_source_url |
 * database_url | db_url | supabase_url`; anon key `data_source_anon_key | anon_key | supabase_anon_key`;
 * service key `data_source_service_key | service_key | service_role_key | supabase_service_key`; JWT
 * secret `data_source_jwt_secret | jwt_secret`. A row without a URL gets the default data source. A
 * `postgres(ql)://` URL makes a `postgres` data source; an `http(s)://` URL a `supabase` one.
 *
 * @module
 */
import type postgres from "postgres";
import {
  addDataSource,
  assignDataSource,
  createTenant,
  type DataSourceRow,
  findTenant,
  openDataSource,
  schemas,
} from "../../functions/_shared/control_plane/mod.ts";
import { type Keyring, maskConnectionString, openLegacy } from "../../functions/_shared/crypto/mod.ts";
import {
  PostgresCredentials,
  type Queryable,
  SupabaseCredentials,
} from "../../functions/_shared/data_sources/mod.ts";

const COLUMNS = {
  id: ["id"],
  slug: ["slug", "subdomain", "tenant_slug"],
  name: ["name", "tenant_name", "company_name"],
  url: ["data_source_url", "database_url", "db_url", "supabase_url"],
  anon_key: ["data_source_anon_key", "anon_key", "supabase_anon_key"],
  service_key: ["data_source_service_key", "service_key", "service_role_key", "supabase_service_key"],
  jwt_secret: ["data_source_jwt_secret", "jwt_secret"],
} as const;

type Field = keyof typeof COLUMNS;

/** A legacy table name: `table` or `schema.table`, plain identifiers only. */
export const LEGACY_TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

/** One legacy row, its values still encrypted. */
export interface LegacyTenant {
  /** How messages name the row: its slug, id or position. */
  label: string;
  slug: string | null;
  name: string;
  encrypted: Partial<Record<"url" | "anon_key" | "service_key" | "jwt_secret", string>>;
}

/** A data source the import registers or reuses. Credentials stay in memory, never in reports. */
export interface PlannedDataSource {
  name: string;
  kind: "postgres" | "supabase";
  masked_url: string;
  action: "create" | "reuse";
  credentials: Record<string, string>;
}

/** What happens to one legacy tenant. */
export interface PlannedTenant {
  row: string;
  slug: string | null;
  name: string;
  data_source: string | null;
  action: "create" | "assign" | "unchanged" | "error";
  error: string | null;
}

/** The whole import, for the report (without credentials) and for {@linkcode applyLegacyImport}. */
export interface LegacyImportPlan {
  tenants: PlannedTenant[];
  data_sources: PlannedDataSource[];
  errors: number;
}

/**
 * Reads the legacy table (read-only transaction). The table name is checked against
 * {@linkcode LEGACY_TABLE} by the caller and reaches SQL only as an identifier.
 */
export async function readLegacyTenants(sql: postgres.Sql, table: string): Promise<LegacyTenant[]> {
  const [schema, name] = table.includes(".") ? table.split(".") as [string, string] : ["public", table];
  const rows = await sql.begin("read only", (tx) => tx`select * from ${tx(schema)}.${tx(name)}`);
  const columns = rows.columns.map((column) => column.name);
  const pick = (field: Field) =>
    COLUMNS[field].map((c) => columns.find((n) => n.toLowerCase() === c)).find((c) => c !== undefined);
  const source = Object.fromEntries((Object.keys(COLUMNS) as Field[]).map((f) => [f, pick(f)])) as Record<
    Field,
    string | undefined
  >;
  if (source.slug === undefined && source.name === undefined) {
    throw new TypeError(
      `The legacy table has neither a slug nor a name column (looked for ${
        [...COLUMNS.slug, ...COLUMNS.name].join(", ")
      })`,
    );
  }
  return rows.map((row, index): LegacyTenant => {
    const text = (field: Field) => {
      const column = source[field];
      const value = column === undefined ? null : row[column];
      return value === null || value === undefined || String(value).trim() === "" ? undefined : String(value);
    };
    const rawName = text("name")?.trim().slice(0, 200);
    const slug = text("slug")?.trim().toLowerCase() ?? slugify(rawName ?? "");
    const encrypted: LegacyTenant["encrypted"] = {};
    for (const field of ["url", "anon_key", "service_key", "jwt_secret"] as const) {
      const value = text(field);
      if (value !== undefined) encrypted[field] = value;
    }
    return {
      label: slug ?? text("id") ?? `row ${index + 1}`,
      slug,
      name: rawName || slug || `row ${index + 1}`,
      encrypted,
    };
  });
}

/** Options of {@linkcode planLegacyImport}. */
export interface PlanLegacyImportOptions {
  /** The seed's `ENCRYPTION_KEY` (64 hex) or an imported AES-GCM key. */
  legacyKey: string | CryptoKey;
  /** The configured keys, to compare with data sources registered by an earlier import. */
  keyring: Keyring;
}

/**
 * Decrypts and validates every row and decides what to do, reading the application database only.
 * Identical credentials share one data source, named `legacy-<slug of the first tenant>`.
 */
export async function planLegacyImport(
  tx: Queryable,
  rows: LegacyTenant[],
  options: PlanLegacyImportOptions,
): Promise<LegacyImportPlan> {
  const dataSources: PlannedDataSource[] = [];
  const tenants: PlannedTenant[] = [];
  for (const row of rows) {
    const planned: PlannedTenant = {
      row: row.label,
      slug: row.slug,
      name: row.name,
      data_source: null,
      action: "error",
      error: null,
    };
    tenants.push(planned);
    try {
      const slug = schemas.Slug.safeParse(row.slug);
      if (!slug.success) throw new Error("The slug is not valid (3 to 63 of a-z, 0-9 and '-')");
      if (!schemas.TenantName.safeParse(row.name).success) throw new Error("The name is not valid");
      const target = row.encrypted.url === undefined
        ? null
        : await planDataSource(tx, { row, slug: slug.data, options, dataSources });
      planned.data_source = target?.name ?? null;
      const existing = await findTenant(tx, slug.data).catch(() => undefined);
      planned.action = existing === undefined
        ? "create"
        : (existing.uses_default ? null : existing.data_source) === planned.data_source
        ? "unchanged"
        : "assign";
    } catch (error) {
      planned.error = error instanceof Error ? error.message : "Cannot import this row";
    }
  }
  return { tenants, data_sources: dataSources, errors: tenants.filter((t) => t.error !== null).length };
}

async function planDataSource(
  tx: Queryable,
  context: {
    row: LegacyTenant;
    slug: string;
    options: PlanLegacyImportOptions;
    dataSources: PlannedDataSource[];
  },
): Promise<PlannedDataSource> {
  const { row, options } = context;
  const plain: Record<string, string> = {};
  for (const [field, value] of Object.entries(row.encrypted)) {
    try {
      plain[field] = await openLegacy(options.legacyKey, value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : "cannot decrypt";
      throw new Error(`${field}: ${reason}`);
    }
  }
  const url = plain.url!;
  let kind: "postgres" | "supabase";
  let credentials: Record<string, string>;
  if (/^postgres(ql)?:\/\//.test(url)) {
    kind = "postgres";
    credentials = { url };
    if (!PostgresCredentials.safeParse(credentials).success) {
      throw new Error("url: not a valid connection string");
    }
  } else if (/^https?:\/\//.test(url)) {
    kind = "supabase";
    credentials = {
      url,
      ...(plain.anon_key === undefined ? {} : { anon_key: plain.anon_key }),
      ...(plain.service_key === undefined ? {} : { service_key: plain.service_key }),
      ...(plain.jwt_secret === undefined ? {} : { jwt_secret: plain.jwt_secret }),
    };
    const parsed = SupabaseCredentials.safeParse(credentials);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".")))];
      throw new Error(`Supabase credentials incomplete or invalid: ${fields.join(", ")}`);
    }
  } else {
    throw new Error("url: neither a postgresql:// connection string nor an https:// project URL");
  }
  const same = context.dataSources.find((planned) =>
    planned.kind === kind && JSON.stringify(planned.credentials) === JSON.stringify(credentials)
  );
  if (same !== undefined) return same;
  const name = `legacy-${context.slug}`.slice(0, 63).replace(/[-_]+$/, "");
  const existing = await tx<DataSourceRow[]>`select * from private.data_sources where name = ${name}`;
  let action: PlannedDataSource["action"] = "create";
  if (existing[0] !== undefined) {
    const opened = await openDataSource(options.keyring, existing[0]);
    if (!opened.ok || JSON.stringify(opened.credentials.credentials) !== JSON.stringify(credentials)) {
      throw new Error(`Data source "${name}" already exists with other credentials`);
    }
    action = "reuse";
  }
  const planned: PlannedDataSource = {
    name,
    kind,
    masked_url: maskConnectionString(url),
    action,
    credentials,
  };
  context.dataSources.push(planned);
  return planned;
}

/** Registers the planned data sources and creates or routes the tenants, in the caller's transaction. */
export async function applyLegacyImport(
  tx: postgres.TransactionSql,
  plan: LegacyImportPlan,
  keyring: Keyring,
): Promise<void> {
  for (const source of plan.data_sources.filter((s) => s.action === "create")) {
    const input = schemas.RegisterDataSourceBody.parse({
      name: source.name,
      kind: source.kind,
      credentials: source.credentials,
    });
    await addDataSource(tx, { keyring, input });
  }
  for (const tenant of plan.tenants) {
    if (tenant.slug === null) continue;
    if (tenant.action === "create") {
      await createTenant(tx, { slug: tenant.slug, name: tenant.name, data_source: tenant.data_source });
    } else if (tenant.action === "assign") {
      await assignDataSource(tx, { tenant: tenant.slug, dataSource: tenant.data_source });
    }
  }
}

/** The plan without credentials, for printing. */
export function reportOf(plan: LegacyImportPlan, dryRun: boolean) {
  return {
    dry_run: dryRun,
    errors: plan.errors,
    tenants: plan.tenants,
    data_sources: plan.data_sources.map(({ credentials: _credentials, ...rest }) => rest),
  };
}

function slugify(name: string): string | null {
  const slug = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(
    0,
    63,
  )
    .replace(/-+$/, "");
  return slug.length >= 3 ? slug : null;
}
