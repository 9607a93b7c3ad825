/**
 * What the benchmark commands share: argument checks and the machine's load average (a busy machine
 * skews every figure, so each report states it).
 *
 * @module
 */

/** The 1, 5 and 15 minute load averages; empty where `/proc/loadavg` is missing. */
export async function loadAverage(): Promise<number[]> {
  const text = await Deno.readTextFile("/proc/loadavg").catch(() => "");
  return text.split(" ").slice(0, 3).map(Number);
}

/** `value` as a number above 0, or exit 2 naming the option. */
export function positive(value: string, name: string): number {
  const number = Number(value);
  if (!(number > 0)) usage(`${name} must be a number above 0: "${value}"`);
  return number;
}

/** Prints a usage error and exits 2. */
export function usage(message: string): never {
  console.error(message);
  Deno.exit(2);
}
