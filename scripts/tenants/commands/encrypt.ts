/**
 * `encrypt`: seal standard input for one data source row and field, for scripts.
 *
 * @module
 */
import { defineCommand } from "citty";
import { findDataSource } from "../../../functions/_shared/control_plane/mod.ts";
import { seal } from "../../../functions/_shared/crypto/mod.ts";
import { CREDENTIALS_CONTEXT } from "../../../functions/_shared/data_sources/mod.ts";
import { DB_URL_ARG } from "../args.ts";
import { withContext } from "../context.ts";
import { printJson } from "../output.ts";
import { readStdin } from "../read_secret.ts";
import { UsageError } from "../usage_error.ts";

const FIELD = /^[a-z][a-z0-9_]{0,62}$/;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `npm run tenants -- encrypt --data-source <name> --field <field> < plaintext` */
export const encryptCommand = defineCommand({
  meta: {
    name: "tenants encrypt",
    description: "Encrypt standard input for a data source's row and field; prints hex JSON " +
      `(field "${CREDENTIALS_CONTEXT.field}" is the credentials document the functions read)`,
  },
  args: {
    "data-source": {
      type: "string",
      required: true,
      description: "Data source name or id",
      valueHint: "name",
    },
    field: { type: "string", required: true, description: "Field the value is bound to", valueHint: "field" },
    ...DB_URL_ARG,
  },
  async run({ args }) {
    if (!FIELD.test(args.field)) {
      throw new UsageError("--field must be 1 to 63 of a-z, 0-9 and _, starting with a letter");
    }
    const plaintext = (await readStdin()).replace(/\r?\n$/, "");
    if (plaintext === "") throw new UsageError("Nothing to encrypt: standard input was empty");
    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      const keyring = await context.keyring();
      const source = await findDataSource(context.sql, args["data-source"]);
      const sealed = await seal(keyring, plaintext, {
        table: CREDENTIALS_CONTEXT.table,
        rowId: source.id,
        field: args.field,
      });
      printJson({
        data_source: source.name,
        data_source_id: source.id,
        table: CREDENTIALS_CONTEXT.table,
        field: args.field,
        key_id: sealed.keyId,
        ciphertext: hex(sealed.ciphertext),
        nonce: hex(sealed.nonce),
      });
    });
  },
});
