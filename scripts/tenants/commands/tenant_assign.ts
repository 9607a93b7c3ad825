/**
 * `tenant assign`: route a tenant to a data source, or back to the default one.
 *
 * @module
 */
import { defineCommand } from "citty";
import { assignDataSource, schemas, withClaims } from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson } from "../output.ts";
import { validateArgs } from "../validate_args.ts";

/** `npm run tenants -- tenant assign <slug> --data-source <name|default>` */
export const tenantAssignCommand = defineCommand({
  meta: {
    name: "tenants tenant assign",
    description: "Route a tenant to a data source (default = the shared one). Rows are not moved",
  },
  args: {
    slug: { type: "positional", required: true, description: "Tenant slug or id" },
    "data-source": {
      type: "string",
      required: true,
      description: "Data source name, or default",
      valueHint: "name|default",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const target = args["data-source"] === "default" ? null : args["data-source"];
    validateArgs(schemas.AssignDataSourceBody, { data_source: target }, { data_source: "--data-source" });
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const result = await withClaims(
        context.sql,
        context.claims,
        (tx) => assignDataSource(tx, { tenant: args.slug, dataSource: target }),
      );
      if (args.json) return printJson(result);
      const now = result.tenant.uses_default
        ? `default (${result.tenant.data_source})`
        : result.tenant.data_source;
      console.log(
        result.changed
          ? `Tenant ${result.tenant.slug}: ${result.previous_data_source ?? "-"} -> ${now}`
          : `Tenant ${result.tenant.slug} already uses ${now}`,
      );
    });
  },
});
