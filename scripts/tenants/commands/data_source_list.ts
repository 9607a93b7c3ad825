/**
 * `data-source list`: every data source, masked.
 *
 * @module
 */
import { defineCommand } from "citty";
import { listDataSources } from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson, renderTable } from "../output.ts";

/** `npm run tenants -- data-source list [--json]` */
export const dataSourceListCommand = defineCommand({
  meta: { name: "tenants data-source list", description: "List data sources with masked credentials" },
  args: { ...JSON_ARG, ...DB_URL_ARG },
  async run({ args }) {
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const sources = await listDataSources(context.sql, await context.keyring());
      if (args.json) return printJson(sources);
      console.log(renderTable(
        [
          "name",
          "kind",
          "default",
          "status",
          "url (masked)",
          "key",
          "fingerprint",
          "tenants",
          "schema",
          "postgrest",
        ],
        sources.map((s) => [
          s.name,
          s.kind,
          s.is_default,
          s.status,
          s.masked_url === null
            ? `unreadable: ${s.credentials_error}`
            : s.masked_db_url === null
            ? s.masked_url
            : `${s.masked_url}\ndb: ${s.masked_db_url}`,
          s.key_id,
          s.fingerprint,
          s.tenant_count,
          s.schema_version,
          postgrestSettings(s),
        ]),
      ));
    });
  },
});

/** The PostgREST settings turned on (`aggregates`, `explain`), or `-`. */
function postgrestSettings(source: { aggregates_enabled: boolean; plan_enabled: boolean }): string {
  const on = [source.aggregates_enabled ? "aggregates" : null, source.plan_enabled ? "explain" : null];
  return on.filter((name) => name !== null).join(", ") || "-";
}
