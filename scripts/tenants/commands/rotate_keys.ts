/**
 * `rotate-keys`: make the configured active key the registry's, re-encrypt every secret, retire old keys.
 *
 * @module
 */
import { defineCommand } from "citty";
import { rotateKeys, withClaims } from "../../../functions/_shared/control_plane/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { CommandFailed } from "../command_failed.ts";
import { withContext } from "../context.ts";
import { printJson } from "../output.ts";

/** `npm run tenants -- rotate-keys [--json]`; exit 1 when a secret could not be re-encrypted. */
export const rotateKeysCommand = defineCommand({
  meta: {
    name: "tenants rotate-keys",
    description: "Re-encrypt every secret with TENANT_ENCRYPTION_ACTIVE_KEY and retire keys nothing uses",
  },
  args: { ...JSON_ARG, ...DB_URL_ARG },
  async run({ args }) {
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const keyring = await context.keyring();
      const result = await withClaims(context.sql, context.claims, (tx) => rotateKeys(tx, { keyring }));
      if (args.json) printJson(result);
      else {
        if (result.registered.length > 0) console.log(`Registered keys: ${result.registered.join(", ")}`);
        console.log(`Active key: ${result.active_key_id}${result.activated ? " (activated now)" : ""}`);
        console.log(`Re-encrypted: ${result.reencrypted}`);
        console.log(
          `Retired: ${result.retired}${result.retired ? ` (${result.retired_key_ids.join(", ")})` : ""}`,
        );
        for (const failure of result.failed) {
          console.error(`Not re-encrypted: ${failure.data_source} (key ${failure.key_id}): ${failure.error}`);
        }
      }
      if (result.failed.length > 0) throw new CommandFailed();
    });
  },
});
