/**
 * `data-source create-local <name>`: a newcomer's first move target in one command. Creates a database
 * in the cluster of the application database (the local stack's, or any cluster on this machine), adds
 * what the tenant schema needs from Supabase's image, registers it as a `postgres` data source and
 * provisions it, so `move <tenant> --to <name>` works at once.
 *
 * @module
 */
import { defineCommand } from "citty";
import {
  addDataSource,
  AdminError,
  deleteDataSource,
  provisionDataSource,
  withClaims,
} from "../../../functions/_shared/control_plane/mod.ts";
import { loadMigrations } from "../../../functions/_shared/provision/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { CommandFailed } from "../command_failed.ts";
import { withContext } from "../context.ts";
import { printJson, renderRecord } from "../output.ts";
import { UsageError } from "../usage_error.ts";

/** A data source name that is also a plain database name (no quoting needed). */
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Hosts that are this machine: the only clusters this command creates databases in. */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** `npm run tenants -- data-source create-local <name> [--pool-max N]`; exit 1 when a step failed (undone). */
export const dataSourceCreateLocalCommand = defineCommand({
  meta: {
    name: "tenants data-source create-local",
    description:
      "Create a tenant database beside the local application database, register it as a data source and provision it",
  },
  args: {
    name: {
      type: "positional",
      required: true,
      description: "Name of the new database and data source (a-z 0-9 _, starting with a letter)",
    },
    "pool-max": {
      type: "string",
      description: "Pool size per function instance, 1-100 (default 10)",
      valueHint: "n",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const name = args.name;
    if (!DATABASE_NAME.test(name)) {
      throw new UsageError(
        `Invalid name "${name}": use 1 to 63 of a-z, 0-9 and '_', starting with a letter (it names the database too)`,
      );
    }
    const poolMax = args["pool-max"] === undefined ? undefined : Number(args["pool-max"]);
    if (poolMax !== undefined && !(Number.isInteger(poolMax) && poolMax >= 1 && poolMax <= 100)) {
      throw new UsageError("--pool-max must be a whole number from 1 to 100");
    }
    const migrations = await loadMigrations();
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const url = siblingDatabaseUrl(context.url, name);
      const keyring = await context.keyring();
      const [taken] = await context.sql`
        select exists (select from pg_catalog.pg_database where datname = ${name}) as database,
               exists (select from private.data_sources where name = ${name}) as data_source`;
      if (taken?.database || taken?.data_source) {
        throw new CommandFailed(
          `${
            taken.database ? "A database" : "A data source"
          } named "${name}" exists already: choose another name`,
        );
      }
      await context.sql.unsafe(`create database ${name}`);
      let registered = false;
      try {
        console.error(`Created database ${name}`);
        await withClaims(context.sql, context.claims, (tx) =>
          addDataSource(tx, {
            keyring,
            input: {
              name,
              kind: "postgres",
              credentials: { url },
              ...(poolMax === undefined ? {} : { pool_max: poolMax }),
            },
          }));
        registered = true;
        console.error(`Registered data source ${name}`);
        const result = await provisionDataSource(context.sql, {
          keyring,
          ref: name,
          migrations,
          claims: context.claims,
          bootstrapSupabase: true,
          onApply: (m) => console.error(`${name}: applying ${m.version}_${m.name}`),
        });
        if (args.json) printJson(result);
        else {
          console.log(renderRecord({
            data_source: result.data_source,
            added: result.bootstrapped.length === 0 ? "-" : result.bootstrapped.join(", "),
            schema_version: result.schema_version,
            current: result.current,
          }));
          console.log(`\nNext: npm run tenants -- move <tenant> --to ${name}`);
        }
      } catch (error) {
        // Leave nothing half made: a later run with the same name starts clean.
        if (registered) await withClaims(context.sql, context.claims, (tx) => deleteDataSource(tx, name));
        await context.sql.unsafe(`drop database if exists ${name} with (force)`);
        if (error instanceof AdminError) {
          throw new CommandFailed(error.hint === null ? error.message : `${error.message}. ${error.hint}`);
        }
        throw error;
      }
    });
  },
});

/** The application database's URL with another database name; refused for a cluster elsewhere. */
function siblingDatabaseUrl(appUrl: string, name: string): string {
  const url = new URL(appUrl);
  if (!LOCAL_HOSTS.has(url.hostname)) {
    throw new UsageError(
      "create-local creates databases only in a cluster on this machine: create the database elsewhere, then `data-source add` and `provision --bootstrap-supabase`",
    );
  }
  url.pathname = `/${name}`;
  return url.toString();
}
