/**
 * `import-legacy`: import a seed-era tenants table (`iv:authTag:ciphertext` credentials).
 *
 * @module
 */
import { defineCommand } from "citty";
import postgres from "postgres";
import { withClaims } from "../../../functions/_shared/control_plane/mod.ts";
import { LEGACY_KEY_VARIABLE } from "../../../functions/_shared/crypto/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { CommandFailed } from "../command_failed.ts";
import { withContext } from "../context.ts";
import {
  applyLegacyImport,
  LEGACY_TABLE,
  planLegacyImport,
  readLegacyTenants,
  reportOf,
} from "../legacy_import.ts";
import { printJson, renderTable } from "../output.ts";
import { readSecretArgs } from "../read_secret.ts";
import { UsageError } from "../usage_error.ts";

/** `npm run tenants -- import-legacy --from <url|-> [--table tenants] [--dry-run]`, key in `ENCRYPTION_KEY`. */
export const importLegacyCommand = defineCommand({
  meta: {
    name: "tenants import-legacy",
    description:
      `Import a seed-era tenants table; its values are decrypted with $${LEGACY_KEY_VARIABLE} (64 hex)`,
  },
  args: {
    from: {
      type: "string",
      required: true,
      description: "URL of the legacy database ('-': stdin)",
      valueHint: "url|-",
    },
    table: {
      type: "string",
      default: "tenants",
      description: "The legacy tenants table",
      valueHint: "table",
    },
    "dry-run": { type: "boolean", description: "Decrypt, validate and show the plan without writing" },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    if (!LEGACY_TABLE.test(args.table)) {
      throw new UsageError("--table must be a plain table name (or schema.table)");
    }
    const legacyKey = Deno.env.get(LEGACY_KEY_VARIABLE)?.trim();
    if (!legacyKey) {
      throw new UsageError(`Set ${LEGACY_KEY_VARIABLE} to the legacy system's key (64 hex digits)`);
    }
    if (!/^[0-9A-Fa-f]{64}$/.test(legacyKey)) {
      throw new UsageError(`${LEGACY_KEY_VARIABLE} must be 64 hex digits`);
    }
    const { from } = await readSecretArgs({ from: args.from });
    let legacy: postgres.Sql;
    try {
      legacy = postgres(from!, { max: 1, prepare: false, connect_timeout: 10, onnotice: () => {} });
    } catch {
      throw new UsageError("--from is not a valid connection string");
    }
    let rows;
    try {
      rows = await readLegacyTenants(legacy, args.table);
    } finally {
      await legacy.end({ timeout: 1 });
    }
    const dryRun = args["dry-run"] === true;
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const keyring = await context.keyring();
      const plan = await withClaims(context.sql, context.claims, async (tx) => {
        const planned = await planLegacyImport(tx, rows, { legacyKey, keyring });
        if (!dryRun && planned.errors === 0) await applyLegacyImport(tx, planned, keyring);
        return planned;
      });
      const report = reportOf(plan, dryRun);
      if (args.json) printJson(report);
      else {
        console.log(renderTable(
          ["tenant", "name", "data source", "action", "error"],
          plan.tenants.map((t) => [t.slug ?? t.row, t.name, t.data_source ?? "default", t.action, t.error]),
        ));
        if (plan.data_sources.length > 0) {
          console.log(renderTable(
            ["data source", "kind", "url (masked)", "action"],
            plan.data_sources.map((d) => [d.name, d.kind, d.masked_url, d.action]),
          ));
        }
        console.log(
          plan.errors > 0
            ? `${plan.errors} row(s) cannot be imported: nothing was written`
            : dryRun
            ? "Dry run: nothing was written"
            : `Imported ${plan.tenants.length} tenant(s)`,
        );
      }
      if (plan.errors > 0) throw new CommandFailed();
    });
  },
});
