/**
 * `tenant list`.
 *
 * @module
 */
import { defineCommand } from "citty";
import { listTenants } from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson, renderTable } from "../output.ts";

/** `npm run tenants -- tenant list [--json]` */
export const tenantListCommand = defineCommand({
  meta: { name: "tenants tenant list", description: "List tenants and where their rows live" },
  args: { ...JSON_ARG, ...DB_URL_ARG },
  async run({ args }) {
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const tenants = await listTenants(context.sql);
      if (args.json) return printJson(tenants);
      console.log(renderTable(
        ["tenant", "name", "status", "data source", "members"],
        tenants.map((t) => [
          t.slug,
          t.name,
          t.status,
          t.uses_default ? `default (${t.data_source ?? "none"})` : t.data_source,
          t.member_count,
        ]),
      ));
    });
  },
});
