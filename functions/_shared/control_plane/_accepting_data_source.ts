// Internal: resolving the data source a tenant is being routed to.
import type { Queryable } from "../data_sources/mod.ts";
import { AdminError } from "./admin_error.ts";
import { type DataSourceRow, findDataSource } from "./find_data_source.ts";

/**
 * The data source `ref` names (`null` or `"default"`: none, the tenant follows the default), checked to
 * take new tenants: `draining` serves its tenants but takes no new ones, `disabled` serves nobody.
 * `currentId` is the tenant's present data source, which it may keep whatever its status.
 */
export async function acceptingDataSource(
  tx: Queryable,
  ref: string | null | undefined,
  currentId?: string | null,
): Promise<DataSourceRow | null> {
  if (ref === null || ref === undefined || ref === "default") {
    await findDataSource(tx, "default");
    return null;
  }
  const row = await findDataSource(tx, ref);
  if (row.status !== "active" && row.id !== currentId) {
    throw new AdminError("TR633", `Data source "${row.name}" is ${row.status} and takes no new tenants`);
  }
  return row;
}
