/**
 * The associated data that binds a ciphertext to its key id, table, row and field.
 *
 * Encoding (version `tr1`), all strings UTF-8, all lengths in bytes:
 *
 * ```text
 * "tr1" || u32be(len(keyId)) keyId || u32be(len(table)) table || u32be(len(rowId)) rowId
 *       || u32be(len(field)) field
 * ```
 *
 * The fixed version prefix and the length prefixes make the encoding injective: no two different
 * `(keyId, table, rowId, field)` tuples encode to the same bytes, unlike plain concatenation
 * (`"ab" + "c"` = `"a" + "bc"`). Strings must be well-formed UTF-16, because lone surrogates would all
 * encode to U+FFFD and collide.
 *
 * @module
 */

import { isWellFormedKeyId } from "./_util.ts";

/** Version tag at the start of every associated data block. */
export const ASSOCIATED_DATA_VERSION = "tr1";

/** The table a {@linkcode SealContext} names when it names none. */
export const DEFAULT_TABLE = "private.data_sources";

/** Where a sealed secret lives: the row and field it is bound to. */
export interface SealContext {
  /** Schema-qualified table; defaults to {@linkcode DEFAULT_TABLE}. */
  table?: string | undefined;
  /** The row's primary key as text, for example the data source's UUID. */
  rowId: string;
  /** The logical field, for example `"url"` or `"service_role_key"`. */
  field: string;
}

const encoder = new TextEncoder();

/**
 * Encodes the associated data for a secret sealed under `keyId` at `context`.
 *
 * @throws {TypeError} when the key id or a context part is empty, not a string, or not well-formed.
 *
 * @example
 * ```ts
 * const aad = encodeAssociatedData("k20250101ab12", { rowId: "4f1a…", field: "url" });
 * ```
 */
export function encodeAssociatedData(keyId: string, context: SealContext): Uint8Array<ArrayBuffer> {
  if (!isWellFormedKeyId(keyId)) {
    throw new TypeError("Cannot bind secret to its row: key id must match ^[A-Za-z0-9_-]{1,64}$");
  }
  if (typeof context !== "object" || context === null) {
    throw new TypeError("Cannot bind secret to its row: context must be an object with rowId and field");
  }
  const parts = [
    encoder.encode(ASSOCIATED_DATA_VERSION),
    ...[
      keyId,
      part(context.table ?? DEFAULT_TABLE, "table"),
      part(context.rowId, "rowId"),
      part(context.field, "field"),
    ].flatMap(lengthPrefixed),
  ];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function part(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`Cannot bind secret to its row: context.${name} must be a non-empty string`);
  }
  if (!value.isWellFormed()) {
    throw new TypeError(`Cannot bind secret to its row: context.${name} contains a lone surrogate`);
  }
  return value;
}

function lengthPrefixed(value: string): Uint8Array[] {
  const bytes = encoder.encode(value);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, bytes.length, false);
  return [length, bytes];
}
