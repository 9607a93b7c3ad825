/**
 * Secrets given on standard input (`--url -`), so they stay out of shell history and `ps`.
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";

/** Options of {@linkcode readSecretArgs}. */
export interface ReadSecretArgsOptions {
  /** How to read standard input; default all of `Deno.stdin` (tests inject text). */
  readStdin?: (() => Promise<string>) | undefined;
}

/**
 * Resolves flag values where `-` means "read standard input": at most one flag may use it. Standard
 * input is read once and one trailing newline is dropped.
 *
 * @throws {UsageError} when several flags ask for standard input, or it is empty.
 *
 * @example
 * ```ts
 * const { url } = await readSecretArgs({ url: args.url }); // `--url -`: the piped connection string
 * ```
 */
export async function readSecretArgs<K extends string>(
  values: Record<K, string | undefined>,
  options: ReadSecretArgsOptions = {},
): Promise<Record<K, string | undefined>> {
  const fromStdin = (Object.keys(values) as K[]).filter((key) => values[key] === "-");
  if (fromStdin.length > 1) {
    throw new UsageError(
      `Only one option can read standard input ("-"), got ${fromStdin.map((k) => `--${k}`).join(", ")}`,
    );
  }
  if (fromStdin.length === 0) return values;
  const key = fromStdin[0]!;
  const text = (await (options.readStdin ?? readStdin)()).replace(/\r?\n$/, "");
  if (text.trim() === "") {
    throw new UsageError(`--${key} - expects the value on standard input, which was empty`);
  }
  return { ...values, [key]: text };
}

/** Reads all of standard input as UTF-8, prompting on standard error when it is a terminal. */
export async function readStdin(): Promise<string> {
  if (Deno.stdin.isTerminal()) {
    console.error("Reading from standard input: paste the value, then press Ctrl-D");
  }
  return await new Response(Deno.stdin.readable).text();
}
