/**
 * `keygen`: a new key id and 64-hex key for `TENANT_ENCRYPTION_KEYS`.
 *
 * @module
 */
import { defineCommand } from "citty";
import { generateKey, Keyring } from "../../../functions/_shared/crypto/mod.ts";
import { JSON_ARG } from "../args.ts";
import { printJson } from "../output.ts";

/** `npm run tenants -- keygen [--json]` */
export const keygenCommand = defineCommand({
  meta: {
    name: "tenants keygen",
    description: "Print a new encryption key as <id>:<64 hex> for TENANT_ENCRYPTION_KEYS",
  },
  args: { ...JSON_ARG },
  async run({ args }) {
    const key = generateKey();
    const fingerprint = (await Keyring.fromKeys([key])).fingerprint(key.id);
    const entry = `${key.id}:${key.hex}`;
    if (args.json) {
      printJson({ id: key.id, hex: key.hex, fingerprint, entry });
      return;
    }
    console.log(entry);
    console.error(
      `Add it to TENANT_ENCRYPTION_KEYS (comma-separated) of every function and of the CLI, then set ` +
        `TENANT_ENCRYPTION_ACTIVE_KEY=${key.id} and run rotate-keys. Fingerprint: ${fingerprint}`,
    );
  },
});
