/**
 * The operator CLI, `npm run tenants -- <command>` (CONTRACT.md, "The operator CLI"). Every command has
 * `--help`; most take `--json`. Exit codes: 0 success, 1 the operation failed or a check found a
 * problem, 2 bad usage. The command logic lives in `commands/`, the operations it runs in
 * `functions/_shared/control_plane/` (shared with the tenant-admin API) and `functions/_shared/moves/`.
 *
 * Usage: `deno run -A scripts/tenants/main.ts <command> [options]`
 *
 * @module
 */
import { defineCommand } from "citty";
import { checkCommand } from "./commands/check.ts";
import { dataSourceCommand } from "./commands/data_source.ts";
import { encryptCommand } from "./commands/encrypt.ts";
import { importLegacyCommand } from "./commands/import_legacy.ts";
import { keygenCommand } from "./commands/keygen.ts";
import { moveCommand } from "./commands/move.ts";
import { provisionCommand } from "./commands/provision.ts";
import { rotateKeysCommand } from "./commands/rotate_keys.ts";
import { tenantCommand } from "./commands/tenant.ts";
import { runCli } from "./run_cli.ts";

/** The command tree. */
export const main = defineCommand({
  meta: {
    name: "tenants",
    description: "Tenant Router operator CLI: data sources, tenants, provisioning, moves and keys",
  },
  subCommands: {
    keygen: keygenCommand,
    encrypt: encryptCommand,
    "data-source": dataSourceCommand,
    tenant: tenantCommand,
    check: checkCommand,
    provision: provisionCommand,
    move: moveCommand,
    "rotate-keys": rotateKeysCommand,
    "import-legacy": importLegacyCommand,
  },
});

if (import.meta.main) Deno.exit(await runCli(main, Deno.args));
