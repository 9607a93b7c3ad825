/**
 * `provision`: bring tenant databases to the current tenant schema and report each one's version. With
 * `--all`, every registered data source, `--concurrency` at a time (default 4), one row per database
 * (version before and after, time, result); a database that fails does not stop the others (exit 1 at
 * the end), one that is current is only read, and one that is not a tenant database is skipped (see
 * `tenantDatabasesOnly` of `provisionDataSource`).
 *
 * @module
 */
import { defineCommand } from "citty";
import {
  AdminError,
  ensureSupabaseImage,
  findDataSource,
  listDataSources,
  openDataSource,
  provisionDataSource,
  testDataSource,
} from "../../../functions/_shared/control_plane/mod.ts";
import { databaseUrlOf } from "../../../functions/_shared/data_sources/mod.ts";
import { latestVersion, loadMigrations } from "../../../functions/_shared/provision/mod.ts";
import postgres from "postgres";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { CommandFailed } from "../command_failed.ts";
import { type CliContext, withContext } from "../context.ts";
import { printJson, renderTable } from "../output.ts";
import { supabaseDbPush } from "../supabase_db_push.ts";
import { UsageError } from "../usage_error.ts";

/** One data source's outcome. */
interface Provisioned {
  data_source: string;
  applied: string[];
  schema_version_before: string | null;
  schema_version: string | null;
  expected_schema_version: string | null;
  current: boolean | null;
  /** What was added of Supabase's image (`--bootstrap-supabase`). */
  bootstrapped: string[];
  result: "ok" | "skipped" | "failed";
  error: string | null;
  elapsed_ms: number;
}

/** The default number of databases `provision --all` works on at once. */
const DEFAULT_CONCURRENCY = 4;

/**
 * `npm run tenants -- provision [<data-source> | --all] [--dry-run] [--bootstrap-supabase] [--supabase-cli]`;
 * exit 1 on a failure (a plain PostgreSQL database without `--bootstrap-supabase` is one, refused before
 * anything is written).
 */
export const provisionCommand = defineCommand({
  meta: {
    name: "tenants provision",
    description: "Bring tenant databases to the current tenant schema (tenant-db/supabase/migrations)",
  },
  args: {
    "data-source": {
      type: "positional",
      required: false,
      description: "Data source name or id (or default)",
    },
    all: {
      type: "boolean",
      description: "Every registered data source (skips those that are not tenant databases)",
    },
    concurrency: {
      type: "string",
      description: `Databases provisioned at once with --all (default ${DEFAULT_CONCURRENCY})`,
      valueHint: "n",
    },
    "dry-run": { type: "boolean", description: "Only show which migrations would be applied" },
    "bootstrap-supabase": {
      type: "boolean",
      description:
        "First add what a plain PostgreSQL database lacks of Supabase's image: roles anon, authenticated, service_role; auth.uid(), auth.jwt() …",
    },
    "supabase-cli": {
      type: "boolean",
      description: "Apply with `supabase db push --workdir tenant-db` instead of the built-in provisioner",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const one = args["data-source"];
    if ((one === undefined) === !args.all) throw new UsageError("Give one data source or --all");
    const concurrency = args.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(args.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new UsageError("--concurrency must be a whole number from 1 to 64");
    }
    const migrations = await loadMigrations();
    const expected = latestVersion(migrations);
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const keyring = await context.keyring();
      const names = one !== undefined
        ? [(await findDataSource(context.sql, one)).name]
        : (await listDataSources(context.sql, keyring)).map((source) => source.name);
      const flags = {
        dryRun: args["dry-run"] === true,
        bootstrapSupabase: args["bootstrap-supabase"] === true,
      };
      const results = await mapBounded(names, concurrency, async (name) => {
        const started = performance.now();
        const result = args["supabase-cli"]
          ? await withSupabaseCli(context, { name, expected, ...flags })
          : await builtIn(context, { name, migrations, ...flags, tenantDatabasesOnly: args.all === true });
        const elapsed_ms = Math.round(performance.now() - started);
        if (args.all) console.error(`${name}: ${result.result} in ${elapsed_ms} ms`);
        return { ...result, elapsed_ms };
      });
      if (args.json) printJson(results);
      else {
        console.log(renderTable(
          [
            "data source",
            "before",
            args["dry-run"] ? "would apply" : "applied",
            "after",
            "expected",
            "current",
            "ms",
            "result",
          ],
          results.map((r) => [
            r.data_source,
            r.schema_version_before,
            [...r.bootstrapped.map((what) => `+ ${what}`), ...r.applied].join("\n") || "-",
            r.schema_version,
            r.expected_schema_version,
            r.current,
            r.elapsed_ms,
            r.error === null ? r.result : `${r.result}: ${r.error}`,
          ]),
        ));
        if (results.length > 1) {
          const count = (result: Provisioned["result"]) => results.filter((r) => r.result === result).length;
          console.log(
            `${results.length} data sources: ${count("ok")} ok, ${count("skipped")} skipped, ${
              count("failed")
            } failed`,
          );
        }
      }
      if (results.some((r) => r.result === "failed")) throw new CommandFailed();
    });
  },
});

/** Runs `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function builtIn(
  context: CliContext,
  options: {
    name: string;
    migrations: Awaited<ReturnType<typeof loadMigrations>>;
    dryRun: boolean;
    bootstrapSupabase: boolean;
    tenantDatabasesOnly: boolean;
  },
): Promise<Omit<Provisioned, "elapsed_ms">> {
  const expected = latestVersion(options.migrations);
  try {
    const result = await provisionDataSource(context.sql, {
      keyring: await context.keyring(),
      ref: options.name,
      migrations: options.migrations,
      claims: context.claims,
      dryRun: options.dryRun,
      bootstrapSupabase: options.bootstrapSupabase,
      tenantDatabasesOnly: options.tenantDatabasesOnly,
      onApply: (m) => console.error(`${options.name}: applying ${m.version}_${m.name}`),
    });
    return { ...result, result: "ok", error: null };
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return {
      data_source: options.name,
      applied: [],
      schema_version_before: null,
      schema_version: null,
      expected_schema_version: expected,
      current: null,
      bootstrapped: [],
      // With --all, a data source that is not a tenant database (or cannot be reached as one) is skipped.
      result: options.tenantDatabasesOnly && error.code === "TR641" ? "skipped" : "failed",
      error: error.hint === null ? error.message : `${error.message}. ${error.hint}`,
    };
  }
}

async function withSupabaseCli(
  context: CliContext,
  options: { name: string; expected: string | null; dryRun: boolean; bootstrapSupabase: boolean },
): Promise<Omit<Provisioned, "elapsed_ms">> {
  const keyring = await context.keyring();
  const row = await findDataSource(context.sql, options.name);
  const base = {
    data_source: options.name,
    expected_schema_version: options.expected,
    schema_version_before: row.schema_version,
    bootstrapped: [],
  };
  const opened = await openDataSource(keyring, row);
  if (!opened.ok) {
    return {
      ...base,
      applied: [],
      schema_version: null,
      current: null,
      result: "failed",
      error: opened.error,
    };
  }
  const url = databaseUrlOf(opened.credentials);
  if (url === undefined) {
    return {
      ...base,
      applied: [],
      schema_version: null,
      current: null,
      result: "skipped",
      error: 'A Supabase project without "db_url" in its credentials: run db push against its database',
    };
  }
  let bootstrapped: string[];
  const target = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    bootstrapped = await ensureSupabaseImage(target, {
      name: options.name,
      bootstrap: options.bootstrapSupabase,
      dryRun: options.dryRun,
    });
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return {
      ...base,
      applied: [],
      schema_version: null,
      current: null,
      result: "failed",
      error: error.hint === null ? error.message : `${error.message}. ${error.hint}`,
    };
  } finally {
    await target.end({ timeout: 1 });
  }
  const push = await supabaseDbPush(url, { dryRun: options.dryRun });
  const probe = await testDataSource(context.sql, {
    keyring,
    ref: row.id,
    claims: context.claims,
    expectedSchemaVersion: options.expected ?? undefined,
  });
  const error = push.ok
    ? null
    : `supabase db push failed:\n${push.output.trim().split("\n").slice(-5).join("\n")}`;
  return {
    ...base,
    bootstrapped,
    applied: push.applied,
    schema_version: probe.schema_version,
    current: probe.current,
    result: push.ok ? "ok" : "failed",
    error,
  };
}
