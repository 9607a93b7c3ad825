/**
 * `data-source add`: register a data source, credentials sealed before they leave the process.
 *
 * @module
 */
import { defineCommand } from "citty";
import { addDataSource, schemas, withClaims } from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson, renderRecord } from "../output.ts";
import { readSecretArgs } from "../read_secret.ts";
import { UsageError } from "../usage_error.ts";
import { validateArgs } from "../validate_args.ts";

/** Body paths of the admin API named as this command's flags in messages. */
const FLAGS: Record<string, string> = {
  name: "--name",
  kind: "--kind",
  pool_max: "--pool-max",
  aggregates_enabled: "--aggregates",
  plan_enabled: "--explain",
  "credentials.url": "--url",
  "credentials.direct_url": "--direct-url",
  "credentials.anon_key": "--anon-key",
  "credentials.service_key": "--service-key",
  "credentials.jwt_secret": "--jwt-secret",
  "credentials.db_url": "--database-url",
};

/** `npm run tenants -- data-source add --name <name> --kind postgres|supabase --url <url|-> …` */
export const dataSourceAddCommand = defineCommand({
  meta: {
    name: "tenants data-source add",
    description:
      "Register a data source; credentials are encrypted. Any one secret may be '-' to read it from stdin",
  },
  args: {
    name: { type: "string", required: true, description: "Unique name (a-z 0-9 _ -)", valueHint: "name" },
    kind: {
      type: "enum",
      options: ["postgres", "supabase"],
      required: true,
      description: "Kind of data source",
    },
    url: {
      type: "string",
      required: true,
      description: "postgres: connection string; supabase: project URL",
      valueHint: "url|-",
    },
    "direct-url": {
      type: "string",
      description:
        "postgres: a session connection (direct or session-mode pooler) when --url is a transaction-mode pooler",
      valueHint: "url|-",
    },
    "anon-key": { type: "string", description: "supabase: the project's anon key", valueHint: "key|-" },
    "service-key": {
      type: "string",
      description: "supabase: the project's service-role key",
      valueHint: "key|-",
    },
    "jwt-secret": {
      type: "string",
      description: "supabase: the project's JWT secret (optional)",
      valueHint: "secret|-",
    },
    "database-url": {
      type: "string",
      description:
        "supabase: the project's direct database connection string (optional; tenant moves and provision need it)",
      valueHint: "url|-",
    },
    "pool-max": {
      type: "string",
      description: "Pool size per function instance, 1-100 (default 10)",
      valueHint: "n",
    },
    default: { type: "boolean", description: "Make it the default data source (only when there is none)" },
    aggregates: {
      type: "boolean",
      description:
        "postgres: allow avg(), count(), max(), min(), sum() in select (PostgREST's db-aggregates-enabled)",
    },
    explain: {
      type: "boolean",
      description: "postgres: serve EXPLAIN plans, supabase-js' explain() (PostgREST's db-plan-enabled)",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const secrets = await readSecretArgs({
      url: args.url,
      "direct-url": args["direct-url"],
      "anon-key": args["anon-key"],
      "service-key": args["service-key"],
      "jwt-secret": args["jwt-secret"],
      "database-url": args["database-url"],
    });
    if (
      args.kind === "postgres" &&
      (args["anon-key"] || args["service-key"] || args["jwt-secret"] || args["database-url"])
    ) {
      throw new UsageError(
        "--anon-key, --service-key, --jwt-secret and --database-url are for --kind supabase",
      );
    }
    if (args.kind === "supabase" && (args["direct-url"] || args.aggregates || args.explain)) {
      throw new UsageError(
        "--direct-url, --aggregates and --explain are for --kind postgres (a supabase project's PostgREST decides)",
      );
    }
    const poolMax = args["pool-max"] === undefined ? undefined : Number(args["pool-max"]);
    const body = {
      name: args.name,
      kind: args.kind,
      credentials: args.kind === "postgres"
        ? {
          url: secrets.url,
          ...(secrets["direct-url"] === undefined ? {} : { direct_url: secrets["direct-url"] }),
        }
        : {
          url: secrets.url,
          anon_key: secrets["anon-key"],
          service_key: secrets["service-key"],
          ...(secrets["jwt-secret"] === undefined ? {} : { jwt_secret: secrets["jwt-secret"] }),
          ...(secrets["database-url"] === undefined ? {} : { db_url: secrets["database-url"] }),
        },
      ...(poolMax === undefined ? {} : { pool_max: poolMax }),
      ...(args.default ? { is_default: true } : {}),
      ...(args.aggregates ? { aggregates_enabled: true } : {}),
      ...(args.explain ? { plan_enabled: true } : {}),
    };
    const input = validateArgs(schemas.RegisterDataSourceBody, body, FLAGS);
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const keyring = await context.keyring();
      const view = await withClaims(
        context.sql,
        context.claims,
        (tx) => addDataSource(tx, { keyring, input }),
      );
      if (args.json) printJson(view);
      else console.log(renderRecord({ ...view }));
    });
  },
});
