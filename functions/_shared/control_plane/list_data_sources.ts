/**
 * Data sources, masked.
 *
 * @module
 */
import type { Keyring } from "../crypto/mod.ts";
import type { Queryable } from "../data_sources/mod.ts";
import { type DataSourceRow, findDataSource } from "./find_data_source.ts";
import { type DataSourceView, maskDataSource } from "./_mask_data_source.ts";

export type { DataSourceView } from "./_mask_data_source.ts";

/**
 * Every data source by name, masked, with how many tenants it serves.
 *
 * @example
 * ```ts
 * for (const source of await listDataSources(sql, keyring)) console.log(source.name, source.masked_url);
 * ```
 */
export async function listDataSources(tx: Queryable, keyring: Keyring): Promise<DataSourceView[]> {
  const rows = await tx<DataSourceRow[]>`select * from private.data_sources order by name`;
  const counts = await tenantCounts(tx);
  return await Promise.all(
    rows.map((row) => maskDataSource(row, { keyring, tenantCount: counts.get(row.id) ?? 0 })),
  );
}

/**
 * One data source by name, id or `default`, masked.
 *
 * @throws {AdminError} `TR622` when there is none.
 */
export async function getDataSource(
  tx: Queryable,
  options: { keyring: Keyring; ref: string },
): Promise<DataSourceView> {
  const row = await findDataSource(tx, options.ref);
  const counts = await tenantCounts(tx);
  return await maskDataSource(row, { keyring: options.keyring, tenantCount: counts.get(row.id) ?? 0 });
}

/** Tenants per data source, counting those on the default through it. */
async function tenantCounts(tx: Queryable): Promise<Map<string, number>> {
  const rows = await tx<{ id: string; count: number }[]>`
    select d.id, count(t.id)::int as count
    from private.data_sources d
    join public.tenants t on t.data_source_id = d.id or (t.data_source_id is null and d.is_default)
    group by d.id`;
  return new Map(rows.map((row) => [row.id, row.count]));
}
