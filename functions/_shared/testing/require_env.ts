/**
 * Reads a variable that `npm test` sets for tests that need the test stack (database URLs, keys). A test
 * started some other way fails with what to run instead of being skipped.
 *
 * @example
 * ```ts
 * const url = requireEnv("TENANT_SHARED_DB_URL");
 * ```
 */
export function requireEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) {
    throw new Error(`Missing ${name}: run this test through \`npm test\`, which starts the test stack`);
  }
  return value;
}
