/**
 * The keyring: AES-256-GCM keys by id, one of them active, loaded from function secrets.
 *
 * @module
 */

import type { EnvReader } from "../env/mod.ts";
import { KeyConfigError, UnknownKeyError } from "./errors.ts";
import { decodeKeyHex, encodeHex, importAesKey, isWellFormedKeyId, looksLikeKeyMaterial } from "./_util.ts";

export type { EnvReader };

/** One key as an id and 64 hex digits (32 bytes), the shape {@linkcode generateKey} returns. */
export interface KeyMaterial {
  /** Key id, 1 to 64 of `A-Z a-z 0-9 _ -`. */
  id: string;
  /** The AES-256 key as 64 hex digits. */
  hex: string;
}

/** Options of {@linkcode Keyring.fromKeys}. */
export interface KeyringOptions {
  /** The id of the key that seals new secrets; optional when there is exactly one key. */
  activeKeyId?: string | undefined;
}

/** Environment variable with the keys, `id:<64 hex>,id2:<64 hex>`. */
export const KEYS_VARIABLE = "TENANT_ENCRYPTION_KEYS";
/** Environment variable with the id of the active key. */
export const ACTIVE_KEY_VARIABLE = "TENANT_ENCRYPTION_ACTIVE_KEY";
/** The seed system's single key variable (64 hex), read when {@linkcode KEYS_VARIABLE} is absent. */
export const LEGACY_KEY_VARIABLE = "ENCRYPTION_KEY";
/** The id given to {@linkcode LEGACY_KEY_VARIABLE}'s key unless {@linkcode ACTIVE_KEY_VARIABLE} names one. */
export const LEGACY_KEY_ID = "legacy";

const HOW_TO_FIX =
  `set ${KEYS_VARIABLE} to "id:<64 hex>,…" (generate one with \`npm run tenants -- keygen\`)`;

interface Entry {
  key: CryptoKey;
  fingerprint: string;
}

interface Candidate {
  id: string;
  hex: string;
  /** How messages name where the id came from: `entry 2 of TENANT_ENCRYPTION_KEYS`. */
  idLabel: string;
  /** How messages name where the key came from: `ENCRYPTION_KEY`. */
  keyLabel: string;
}

interface BuildOptions {
  activeKeyId: string | undefined;
  activeLabel: string;
  hint?: string;
}

/**
 * AES-256-GCM keys by id, imported once as non-extractable `CryptoKey`s, and the id of the active key.
 * The keyring keeps no raw key bytes: it can encrypt and decrypt, and show a fingerprint of each key,
 * but never reveal one.
 *
 * @example
 * ```ts
 * // In a function's index.ts: refuse to start without keys.
 * const keyring = await Keyring.fromEnv(Deno.env);
 * console.log(`sealing with ${keyring.activeKeyId} (${keyring.fingerprint(keyring.activeKeyId)})`);
 * ```
 */
export class Keyring {
  #entries: Map<string, Entry>;
  #activeKeyId: string;

  private constructor(entries: Map<string, Entry>, activeKeyId: string) {
    this.#entries = entries;
    this.#activeKeyId = activeKeyId;
  }

  /**
   * Loads the keyring from function secrets:
   *
   * - `TENANT_ENCRYPTION_KEYS`: `id:<64 hex>,id2:<64 hex>` (spaces around entries and a trailing
   *   comma are allowed);
   * - `TENANT_ENCRYPTION_ACTIVE_KEY`: the id that seals new secrets; optional with exactly one key;
   * - otherwise the seed system's `ENCRYPTION_KEY` (64 hex) as one key, with the id from
   *   `TENANT_ENCRYPTION_ACTIVE_KEY` or else `legacy`.
   *
   * `ENCRYPTION_KEY` is ignored when `TENANT_ENCRYPTION_KEYS` is set.
   *
   * @throws {KeyConfigError} when the configuration is missing or malformed; the message says what to
   * set and never contains key material.
   *
   * @example
   * ```ts
   * const keyring = await Keyring.fromEnv(Deno.env);
   * const fromMap = await Keyring.fromEnv(new Map([["TENANT_ENCRYPTION_KEYS", "k1:" + "ab".repeat(32)]]));
   * ```
   */
  static async fromEnv(env: EnvReader): Promise<Keyring> {
    const keys = read(env, KEYS_VARIABLE);
    const active = read(env, ACTIVE_KEY_VARIABLE);
    if (keys !== undefined) {
      const entries = keys.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
      if (entries.length === 0) fail(`${KEYS_VARIABLE} is empty`, HOW_TO_FIX);
      const candidates = entries.map((entry, index): Candidate => {
        const label = `entry ${index + 1} of ${KEYS_VARIABLE}`;
        const colon = entry.indexOf(":");
        if (colon < 0) fail(`${label} has no key id (expected "id:<64 hex>")`, HOW_TO_FIX);
        const id = entry.slice(0, colon).trim();
        return { id, hex: entry.slice(colon + 1).trim(), idLabel: label, keyLabel: label };
      });
      return await Keyring.#build(candidates, {
        activeKeyId: active,
        activeLabel: ACTIVE_KEY_VARIABLE,
        hint: HOW_TO_FIX,
      });
    }
    const legacy = read(env, LEGACY_KEY_VARIABLE);
    if (legacy !== undefined) {
      const candidate = {
        id: active ?? LEGACY_KEY_ID,
        hex: legacy,
        idLabel: ACTIVE_KEY_VARIABLE,
        keyLabel: LEGACY_KEY_VARIABLE,
      };
      return await Keyring.#build([candidate], {
        activeKeyId: active,
        activeLabel: ACTIVE_KEY_VARIABLE,
        hint: HOW_TO_FIX,
      });
    }
    throw new KeyConfigError(`Cannot load encryption keys: ${HOW_TO_FIX}`);
  }

  /**
   * Builds a keyring from keys given in code (the CLI, tests).
   *
   * @throws {KeyConfigError} when a key or id is malformed, an id repeats, or the active id is missing.
   *
   * @example
   * ```ts
   * const keyring = await Keyring.fromKeys([generateKey()]);
   * ```
   */
  static async fromKeys(keys: Iterable<KeyMaterial>, options: KeyringOptions = {}): Promise<Keyring> {
    const candidates = [...keys].map((key, index): Candidate => {
      const label = `key ${index + 1}`;
      return { id: key.id, hex: key.hex, idLabel: label, keyLabel: label };
    });
    if (candidates.length === 0) fail("no keys were given");
    return await Keyring.#build(candidates, { activeKeyId: options.activeKeyId, activeLabel: "activeKeyId" });
  }

  static async #build(candidates: Candidate[], options: BuildOptions): Promise<Keyring> {
    const { activeLabel, hint } = options;
    const decoded = candidates.map(({ id, hex, idLabel, keyLabel }) => {
      if (!isWellFormedKeyId(id)) {
        fail(`${idLabel} has an invalid key id (use 1 to 64 of A-Z a-z 0-9 _ -)`, hint);
      }
      if (looksLikeKeyMaterial(id)) {
        fail(`${idLabel} has a key id that looks like key material (use a name like k20250101ab12)`, hint);
      }
      const bytes = typeof hex === "string" ? decodeKeyHex(hex) : undefined;
      if (bytes === undefined) {
        const length = typeof hex === "string" ? hex.length : 0;
        fail(`${keyLabel} ("${id}") is not 64 hex digits (got ${length} characters)`, hint);
      }
      return { id, bytes };
    });
    const ids = decoded.map(({ id }) => id);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate !== undefined) fail(`key id "${duplicate}" appears more than once`, hint);
    let activeKeyId = options.activeKeyId;
    if (activeKeyId === undefined) {
      if (ids.length > 1) fail(`${activeLabel} is not set: set it to one of ${ids.join(", ")}`);
      activeKeyId = ids[0] as string;
    } else if (!ids.includes(activeKeyId)) {
      // The value is not echoed: it may be a key pasted into the wrong variable.
      fail(`${activeLabel} does not name a configured key: set it to one of ${ids.join(", ")}`);
    }
    const entries = new Map<string, Entry>();
    for (const { id, bytes } of decoded) {
      const [key, digest] = await Promise.all([
        importAesKey(bytes, ["encrypt", "decrypt"]),
        crypto.subtle.digest("SHA-256", bytes),
      ]);
      bytes.fill(0);
      entries.set(id, { key, fingerprint: encodeHex(new Uint8Array(digest, 0, 8)) });
    }
    return new Keyring(entries, activeKeyId);
  }

  /** The id of the key that seals new secrets. */
  get activeKeyId(): string {
    return this.#activeKeyId;
  }

  /** The ids of all keys, in configuration order. */
  ids(): string[] {
    return [...this.#entries.keys()];
  }

  /** Whether the keyring holds a key with this id. */
  has(keyId: string): boolean {
    return this.#entries.has(keyId);
  }

  /**
   * A short fingerprint of a key: the first 16 hex digits of SHA-256 over the 32 key bytes. Safe to show
   * in logs and the CLI; compare with `echo -n <64 hex> | xxd -r -p | sha256sum | cut -c1-16`.
   *
   * @throws {UnknownKeyError} when the keyring has no such key.
   */
  fingerprint(keyId: string): string {
    return this.#entry(keyId, "Cannot fingerprint key").fingerprint;
  }

  /**
   * The non-extractable `CryptoKey` with this id. Prefer {@linkcode seal} and {@linkcode open}, which
   * bind the ciphertext to its row and field.
   *
   * @throws {UnknownKeyError} when the keyring has no such key.
   */
  cryptoKey(keyId: string): CryptoKey {
    return this.#entry(keyId, "Cannot decrypt secret").key;
  }

  /** A JSON view with ids, fingerprints and the active id; never key material. */
  toJSON(): { activeKeyId: string; keys: { id: string; fingerprint: string }[] } {
    return {
      activeKeyId: this.#activeKeyId,
      keys: [...this.#entries].map(([id, entry]) => ({ id, fingerprint: entry.fingerprint })),
    };
  }

  /** Shows ids and fingerprints in `console.log`, never key material. */
  [Symbol.for("Deno.customInspect")](): string {
    return `Keyring ${JSON.stringify(this.toJSON())}`;
  }

  #entry(keyId: string, action: string): Entry {
    const entry = this.#entries.get(keyId);
    if (entry === undefined) throw new UnknownKeyError(keyId, action);
    return entry;
  }
}

function read(env: EnvReader, name: string): string | undefined {
  const value = env.get(name)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function fail(detail: string, hint?: string): never {
  throw new KeyConfigError(`Cannot load encryption keys: ${detail}${hint === undefined ? "" : `; ${hint}`}`);
}
