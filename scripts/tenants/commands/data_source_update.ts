/**
 * `data-source update <name>`: change a data source's pool size, status or PostgREST settings (the admin
 * API's `PATCH /data-sources/:ref`); its credentials are replaced with `PUT …/credentials`, not here.
 *
 * @module
 */
import { defineCommand } from "citty";
import { schemas, updateDataSource, withClaims } from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson, renderRecord } from "../output.ts";
import { validateArgs } from "../validate_args.ts";

/** Body paths of the admin API named as this command's flags in messages. */
const FLAGS: Record<string, string> = {
  pool_max: "--pool-max",
  status: "--status",
  aggregates_enabled: "--aggregates / --no-aggregates",
  plan_enabled: "--explain / --no-explain",
};

/** `npm run tenants -- data-source update <name> [--pool-max n] [--status s] [--[no-]aggregates] [--[no-]explain]` */
export const dataSourceUpdateCommand = defineCommand({
  meta: {
    name: "tenants data-source update",
    description: "Change a data source's pool size, status, aggregates or EXPLAIN setting",
  },
  args: {
    name: { type: "positional", required: true, description: "Data source name or id (or default)" },
    "pool-max": { type: "string", description: "Pool size per function instance, 1-100", valueHint: "n" },
    status: {
      type: "enum",
      options: ["active", "draining", "disabled"],
      description: "draining: no new tenants; disabled: requests get 503",
    },
    aggregates: {
      type: "boolean",
      description: "postgres: allow avg(), count(), max(), min(), sum() in select",
      negativeDescription: "postgres: refuse aggregates (PGRST123), as Supabase does by default",
    },
    explain: {
      type: "boolean",
      description: "postgres: serve EXPLAIN plans",
      negativeDescription: "postgres: refuse EXPLAIN plans, as Supabase does by default",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const body = {
      ...(args["pool-max"] === undefined ? {} : { pool_max: Number(args["pool-max"]) }),
      ...(args.status === undefined ? {} : { status: args.status }),
      ...(args.aggregates === undefined ? {} : { aggregates_enabled: args.aggregates }),
      ...(args.explain === undefined ? {} : { plan_enabled: args.explain }),
    };
    const input = validateArgs(schemas.UpdateDataSourceBody, body, FLAGS);
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const keyring = await context.keyring();
      const view = await withClaims(
        context.sql,
        context.claims,
        (tx) => updateDataSource(tx, { keyring, ref: args.name, ...input }),
      );
      if (args.json) printJson(view);
      else console.log(renderRecord({ ...view }));
    });
  },
});
