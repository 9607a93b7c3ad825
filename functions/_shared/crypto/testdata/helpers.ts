// Shared fixtures for the crypto module's tests. TEST KEYS ONLY: never use them anywhere else.
import assert from "node:assert/strict";

/** Test key A (64 hex). */
export const KEY_A = "6b1d3c7e9f2a4b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c";
/** Test key B (64 hex). */
export const KEY_B = "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f";

/** Runs `fn` and returns what it threw or rejected with; fails when it did not. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail("expected an error");
}

/**
 * Asserts that `err` is an instance of `type` whose message, `String(err)`, stack and inspection
 * contain none of `secrets` (compared case-insensitively, so upper-case hex counts too).
 */
export function assertSafeError<T extends Error>(
  err: unknown,
  type: abstract new (...args: never[]) => T,
  secrets: readonly string[],
): asserts err is T {
  assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
  const shown = [err.message, String(err), err.stack ?? "", Deno.inspect(err), JSON.stringify(err)]
    .join("\n").toLowerCase();
  for (const secret of secrets) {
    if (secret === "") continue;
    assert.ok(!shown.includes(secret.toLowerCase()), `the error shows a secret: ${err.message}`);
  }
}

/** Returns a copy of `bytes` with bit 0 of byte `index` flipped (negative counts from the end). */
export function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  const at = index < 0 ? copy.length + index : index;
  copy[at] = (copy[at] ?? 0) ^ 1;
  return copy;
}
