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
const TIMEZONE = "timezone=";

/** The longest preference repeated in `PGRST122`'s details. */
const MAX_LISTED_LENGTH = 100;

/**
 * Parses a `Prefer` header value (several headers joined with `,`, as `Headers.get` does). Preferences
 * are comma-separated and trimmed; the first value of each preference wins. Unrecognised ones are
 * collected in `invalid` and ignored, unless `handling=strict` is among them: then they are an error. As in
 * PostgREST, any `max-affected=` is recognised (a value that is not a number is ignored), and so are
 * `tx=commit` and `tx=rollback` (acted on only where the transaction end allows it, see `tx`). The first
 * `timezone=` is kept as sent: whether the server knows the zone is for the gateway to check.
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
    timezone: null,
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
    } else if (token.startsWith(TIMEZONE)) {
      prefs.timezone ??= token.slice(TIMEZONE.length);
    } else if (!token.startsWith("max-affected=")) {
      invalid.push(token);
    }
  }
  prefs.invalid = invalid;
  if (prefs.handling === "strict" && invalid.length > 0) throw invalidPreferences(invalid);
  return prefs;
}

/**
 * `PGRST122` for preferences refused with `handling=strict`, listed as sent (header values cannot hold
 * control characters: only their length is bounded).
 */
export function invalidPreferences(tokens: readonly string[]): PostgrestError {
  return new PostgrestError("PGRST122", undefined, {
    details: `Invalid preferences: ${tokens.slice(0, 10).map(cut).join(", ")}`,
  });
}

function cut(token: string): string {
  return token.length > MAX_LISTED_LENGTH ? `${token.slice(0, MAX_LISTED_LENGTH)}…` : token;
}
