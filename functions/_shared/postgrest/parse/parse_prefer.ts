/**
 * The `Prefer` header (RFC 7240, PostgREST's `Preferences.fromHeaders`).
 *
 * @module
 */

import { quote } from "./_quote.ts";
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

/**
 * Parses a `Prefer` header value (several headers joined with `,`, as `Headers.get` does). Preferences
 * are comma-separated and trimmed; the first value of each preference wins. Unrecognised ones (including
 * `timezone=`, which the gateway does not support) are collected in `invalid` and ignored, unless
 * `handling=strict` is among them: then they are an error.
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
    } else {
      invalid.push(token);
    }
  }
  prefs.invalid = invalid;
  if (prefs.handling === "strict" && invalid.length > 0) {
    throw new PostgrestError("PGRST122", undefined, {
      details: `Invalid preferences: ${invalid.slice(0, 10).map((token) => quote(token)).join(", ")}`,
    });
  }
  return prefs;
}
