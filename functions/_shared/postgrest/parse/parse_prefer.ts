/**
 * The `Prefer` header (RFC 7240, PostgREST's `Preferences.fromHeaders`).
 *
 * @module
 */

import { PostgrestError } from "../../errors/mod.ts";
import type { Preferences } from "./request.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const KNOWN: Readonly<Record<string, readonly [keyof Preferences, string]>> = {
  "return=minimal": ["return", "minimal"],
  "return=representation": ["return", "representation"],
  "return=headers-only": ["return", "headers-only"],
  "count=exact": ["count", "exact"],
  "count=planned": ["count", "planned"],
  "count=estimated": ["count", "estimated"],
  "resolution=merge-duplicates": ["resolution", "merge-duplicates"],
  "resolution=ignore-duplicates": ["resolution", "ignore-duplicates"],
  "missing=default": ["missing", "default"],
  "missing=null": ["missing", "null"],
  "handling=strict": ["handling", "strict"],
  "handling=lenient": ["handling", "lenient"],
  "tx=commit": ["tx", "commit"],
  "tx=rollback": ["tx", "rollback"],
  "params=single-object": ["params", "single-object"],
};

const MAX_AFFECTED = /^max-affected=(\d{1,15})$/;

/** Preferences PostgREST accepts by prefix: never invalid, even when their value is not understood. */
const ACCEPTED_PREFIXES = ["max-affected=", "timezone="];

/** The longest preference repeated in `PGRST122`'s details. */
const MAX_LISTED_LENGTH = 100;

/**
 * Parses a `Prefer` header value (several headers joined with `,`, as `Headers.get` does). Preferences
 * are comma-separated and trimmed; the first value of each preference wins. Unrecognised ones are
 * collected in `invalid` and ignored, unless `handling=strict` is among them: then they are an error. As in
 * PostgREST, any `max-affected=` and `timezone=` is recognised (a value that is not a number is ignored;
 * the gateway does not set time zones), and so are `tx=commit` and `tx=rollback` (acted on only where
 * the transaction end allows it, see `tx`).
 *
 * @throws {PostgrestError} `PGRST122` (400) for unrecognised preferences with `handling=strict`.
 *
 * @example
 * ```ts
 * parsePrefer("count=exact, return=representation").count; // "exact"
 * ```
 */
export function parsePrefer(header: string | null): Preferences {
  const prefs: Mutable<Preferences> = {
    return: null,
    count: null,
    resolution: null,
    missing: null,
    handling: null,
    tx: null,
    maxAffected: null,
    params: null,
    invalid: [],
  };
  const set = prefs as unknown as Record<string, unknown>;
  const invalid: string[] = [];
  for (const raw of (header ?? "").split(",")) {
    const token = raw.trim();
    if (token === "") continue;
    const known = Object.hasOwn(KNOWN, token) ? KNOWN[token] : undefined;
    const maxAffected = MAX_AFFECTED.exec(token)?.[1];
    if (known !== undefined) {
      if (set[known[0]] === null) set[known[0]] = known[1];
    } else if (maxAffected !== undefined) {
      prefs.maxAffected ??= Number(maxAffected);
    } else if (!ACCEPTED_PREFIXES.some((prefix) => token.startsWith(prefix))) {
      invalid.push(token);
    }
  }
  prefs.invalid = invalid;
  if (prefs.handling === "strict" && invalid.length > 0) {
    throw new PostgrestError("PGRST122", undefined, {
      // PostgREST lists them as sent; header values cannot hold control characters, only length to bound.
      details: `Invalid preferences: ${invalid.slice(0, 10).map(cut).join(", ")}`,
    });
  }
  return prefs;
}

function cut(token: string): string {
  return token.length > MAX_LISTED_LENGTH ? `${token.slice(0, MAX_LISTED_LENGTH)}…` : token;
}
