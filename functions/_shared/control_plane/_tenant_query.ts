// Internal: the one query that renders tenants for the admin API and the CLI.
import type { Queryable } from "../data_sources/mod.ts";

/** A tenant as the admin API and the CLI show it. */
export interface TenantView {
  id: string;
  slug: string;
  name: string;
  status: string;
  /** The data source the tenant is routed to explicitly; `null` means the default one. */
  data_source_id: string | null;
  /** The name of the data source the tenant's rows live in (the default one when not routed). */
  data_source: string | null;
  /** Whether the tenant follows the default data source. */
  uses_default: boolean;
  member_count: number;
  created_at: Date;
  updated_at: Date;
}

/** Filters of {@linkcode queryTenants}. */
export interface TenantFilter {
  id?: string | undefined;
  slug?: string | undefined;
  status?: string | undefined;
  /** Tenants whose rows live in this data source (explicitly or through the default). */
  dataSourceId?: string | undefined;
  /**
   * Whether `dataSourceId` is known not to be the default data source: then only tenants routed to it
   * explicitly match, and the page walks the `(data_source_id, slug)` index.
   */
  dataSourceNotDefault?: boolean | undefined;
  /** Only tenants whose slug sorts after this one: the position of a page (keyset pagination). */
  afterSlug?: string | undefined;
  /** At most this many tenants. */
  limit?: number | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a tenant reference is an id (else it is a slug). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Tenants with their effective data source, by slug. Pages walk the slug index: `slug > afterSlug` (the
 * empty string sorts before every slug) with `limit` reads only the page's rows, at any table size.
 */
export async function queryTenants(tx: Queryable, filter: TenantFilter = {}): Promise<TenantView[]> {
  const rows = await tx<TenantView[]>`
    select t.id, t.slug, t.name, t.status, t.data_source_id,
           coalesce(d.name, dd.name) as data_source,
           t.data_source_id is null as uses_default,
           (select count(*)::int from public.tenant_members m where m.tenant_id = t.id) as member_count,
           t.created_at, t.updated_at
    from public.tenants t
    left join private.data_sources d on d.id = t.data_source_id
    left join private.data_sources dd on dd.is_default and t.data_source_id is null
    where t.slug > ${filter.afterSlug ?? ""}::text
      and (${filter.id ?? null}::uuid is null or t.id = ${filter.id ?? null}::uuid)
      and (${filter.slug ?? null}::text is null or t.slug = ${filter.slug ?? null}::text)
      ${filter.status === undefined ? tx`` : tx`and t.status = ${filter.status}::text`}
      ${dataSourceCondition(tx, filter)}
    order by t.slug
    ${filter.limit === undefined ? tx`` : tx`limit ${filter.limit}`}`;
  return [...rows];
}

/** The data source filter as its own fragment, so the planner sees which index serves it. */
function dataSourceCondition(tx: Queryable, filter: TenantFilter) {
  if (filter.dataSourceId === undefined) return tx``;
  if (filter.dataSourceNotDefault) return tx`and t.data_source_id = ${filter.dataSourceId}::uuid`;
  return tx`and coalesce(d.id, dd.id) = ${filter.dataSourceId}::uuid`;
}
