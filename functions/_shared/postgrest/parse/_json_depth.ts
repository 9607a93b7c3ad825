/**
 * How deep JSON text nests, counted without parsing it: PostgreSQL's JSON parser recurses per level and
 * fails with a server error (54001, stack depth) some thousands deep.
 *
 * @module
 */
import { MAX_JSON_DEPTH } from "./limits.ts";

/**
 * Whether `text` nests arrays or objects (`[`, `{`) deeper than {@linkcode MAX_JSON_DEPTH}, strings
 * skipped. Text shorter than the limit cannot, and is not scanned.
 *
 * @example
 * ```ts
 * nestsTooDeep("[".repeat(100)); // true
 * nestsTooDeep('{"a":"[[[["}'); // false
 * ```
 */
export function nestsTooDeep(text: string): boolean {
  return text.length > MAX_JSON_DEPTH && jsonDepth(text) > MAX_JSON_DEPTH;
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped); cheap, one pass, no parse. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x7b || ch === 0x5b) {
      deepest = Math.max(deepest, ++depth);
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return deepest;
}
