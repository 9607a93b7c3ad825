// Test helper: the operator CLI as a child process, as `npm run tenants --` runs it. TEST ONLY.
import { join } from "node:path";
import { PROJECT_ROOT } from "../../stack/profile.ts";

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** `stdout` parsed as JSON. */
  json(): unknown;
}

/** Options of {@linkcode tenants}. */
export interface TenantsOptions {
  /** Text piped to standard input. */
  stdin?: string;
  /** Variables added to (or, with `undefined`, removed from) the test's environment. */
  env?: Record<string, string | undefined>;
}

/** Runs `deno run -A scripts/tenants/main.ts …args`. */
export async function tenants(args: string[], options: TenantsOptions = {}): Promise<CliRun> {
  const env = { ...Deno.env.toObject(), NO_COLOR: "1" } as Record<string, string>;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", join(PROJECT_ROOT, "scripts", "tenants", "main.ts"), ...args],
    cwd: PROJECT_ROOT,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  if (options.stdin !== undefined) await writer.write(new TextEncoder().encode(options.stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  const run = { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  return { ...run, json: () => JSON.parse(run.stdout) };
}
