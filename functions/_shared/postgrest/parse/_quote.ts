/**
 * Quoting of client text inside error messages.
 *
 * @module
 */

/** The longest piece of client text an error message repeats. */
export const MAX_QUOTED_LENGTH = 40;

/**
 * Client text for an error message: JSON-quoted (so quotes, control characters and NUL are escaped) and
 * cut to `max` characters (default {@linkcode MAX_QUOTED_LENGTH}), so a 10 kB value cannot bloat a
 * response or a log line.
 *
 * @example
 * ```ts
 * quote('a"b'); // "\"a\\\"b\""
 * ```
 */
export function quote(text: string, max: number = MAX_QUOTED_LENGTH): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
