/**
 * `data-source test <name>`: decrypt, connect, read the schema version, time it.
 *
 * @module
 */
import { defineCommand } from "citty";
import { testDataSource } from "../../../functions/_shared/control_plane/mod.ts";
import { latestVersion, loadMigrations } from "../../../functions/_shared/provision/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { CommandFailed } from "../command_failed.ts";
import { withContext } from "../context.ts";
import { printJson, renderTable } from "../output.ts";
import { UsageError } from "../usage_error.ts";

/** `npm run tenants -- data-source test <name> [--json]`; exit 1 when it fails or is not current. */
export const dataSourceTestCommand = defineCommand({
  meta: {
    name: "tenants data-source test",
    description: "Connect to a data source and report its schema version and latency (exit 1 on a problem)",
  },
  args: {
    name: { type: "positional", required: true, description: "Data source name or id (or default)" },
    "timeout-ms": {
      type: "string",
      description: "Give up after this many milliseconds (default 5000)",
      valueHint: "ms",
    },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const timeoutMs = args["timeout-ms"] === undefined ? undefined : Number(args["timeout-ms"]);
    if (timeoutMs !== undefined && !(timeoutMs > 0)) {
      throw new UsageError("--timeout-ms must be a positive number");
    }
    const expected = latestVersion(await loadMigrations()) ?? undefined;
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const result = await testDataSource(context.sql, {
        keyring: await context.keyring(),
        ref: args.name,
        claims: context.claims,
        expectedSchemaVersion: expected,
        timeoutMs,
      });
      if (args.json) printJson(result);
      else {
        console.log(renderTable(
          ["data source", "decrypted", "connected", "latency ms", "schema", "expected", "current", "error"],
          [[
            result.data_source,
            result.decrypted,
            result.ok,
            result.latency_ms,
            result.schema_version,
            result.expected_schema_version,
            result.current,
            result.error,
          ]],
        ));
      }
      if (!result.ok || result.current === false) throw new CommandFailed();
    });
  },
});
