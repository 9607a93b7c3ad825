/**
 * `check`: every tenant's data source decrypts, connects, has the current schema; row counts.
 *
 * @module
 */
import { defineCommand } from "citty";
import { checkTenants } from "../../../functions/_shared/control_plane/mod.ts";
import { latestVersion, loadMigrations } from "../../../functions/_shared/provision/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { CommandFailed } from "../command_failed.ts";
import { withContext } from "../context.ts";
import { printJson, renderTable } from "../output.ts";
import { UsageError } from "../usage_error.ts";

/** `npm run tenants -- check [--json]`; exit 1 when any tenant has a problem. */
export const checkCommand = defineCommand({
  meta: {
    name: "tenants check",
    description: "Check every tenant: credentials decrypt, data source connects, schema current, row counts",
  },
  args: {
    concurrency: {
      type: "string",
      description: "Data sources checked at once, one connection each (default 8)",
      valueHint: "n",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const concurrency = args.concurrency === undefined ? 8 : Number(args.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new UsageError("--concurrency must be a whole number from 1 to 64");
    }
    const expected = latestVersion(await loadMigrations()) ?? undefined;
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const report = await checkTenants(context.sql, {
        keyring: await context.keyring(),
        expectedSchemaVersion: expected,
        concurrency,
      });
      if (args.json) printJson(report);
      else {
        console.log(renderTable(
          [
            "tenant",
            "status",
            "data source",
            "decrypts",
            "connects",
            "schema",
            "current",
            "rows",
            "problems",
          ],
          report.tenants.map((t) => [
            t.tenant,
            t.status,
            t.data_source,
            t.decrypted,
            t.connected,
            t.schema_version,
            t.current,
            t.rows,
            t.problems.length === 0 ? "ok" : t.problems,
          ]),
        ));
        // One row per database, too: with hundreds of tenants, the databases are what to look at first.
        console.log(renderTable(
          ["data source", "connects", "schema", "current", "ms", "tenants", "problem"],
          report.data_sources.map((source) => [
            source.data_source,
            source.ok,
            source.schema_version,
            source.current,
            source.latency_ms,
            report.tenants.filter((t) => t.data_source === source.data_source).length,
            source.error ?? "ok",
          ]),
        ));
        const bad = report.tenants.filter((t) => t.problems.length > 0).length;
        console.log(
          bad === 0
            ? `All ${report.tenants.length} tenants ok (schema ${expected})`
            : `${bad} of ${report.tenants.length} tenants have problems`,
        );
      }
      if (!report.ok) throw new CommandFailed();
    });
  },
});
