/**
 * The real Supabase CLI as the provisioner: `supabase db push --workdir tenant-db --db-url <url>`.
 *
 * @module
 */
import { join } from "node:path";
import { redactSecrets } from "../../functions/_shared/control_plane/mod.ts";
import { PROJECT_ROOT } from "../stack/profile.ts";

const SUPABASE_CLI = join(PROJECT_ROOT, "node_modules", ".bin", "supabase");
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** What `db push` did. */
export interface DbPushResult {
  ok: boolean;
  /** Versions the CLI reported applying (in a dry run: would push). */
  applied: string[];
  /** The CLI's output with secrets masked, for failures. */
  output: string;
}

/**
 * The URL the CLI gets: `localhost` instead of `127.0.0.1` (the CLI takes `127.0.0.1:<config db.port>`
 * for its own Docker database) and `sslmode=disable` for local hosts without a `sslmode`.
 *
 * @example
 * ```ts
 * cliDatabaseUrl("postgresql://u:p@127.0.0.1:54322/db"); // "postgresql://u:p@localhost:54322/db?sslmode=disable"
 * ```
 */
export function cliDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === "127.0.0.1") parsed.hostname = "localhost";
  if (LOCAL_HOSTS.has(parsed.hostname) && !parsed.searchParams.has("sslmode")) {
    parsed.searchParams.set("sslmode", "disable");
  }
  return parsed.toString();
}

/**
 * Runs `supabase db push` for the tenant-db project against `url`. The URL is on the child's command
 * line (the CLI has no other way to take it), visible to other local users in `ps` while it runs.
 *
 * @example
 * ```ts
 * const { ok, applied } = await supabaseDbPush(url, { dryRun: true });
 * ```
 */
export async function supabaseDbPush(url: string, options: { dryRun?: boolean } = {}): Promise<DbPushResult> {
  const { code, stdout, stderr } = await new Deno.Command(SUPABASE_CLI, {
    args: [
      "db",
      "push",
      "--workdir",
      "tenant-db",
      "--db-url",
      cliDatabaseUrl(url),
      options.dryRun ? "--dry-run" : "--yes",
    ],
    cwd: PROJECT_ROOT,
    env: { SUPABASE_TELEMETRY_DISABLED: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const output = redactSecrets(decoder.decode(stdout) + decoder.decode(stderr)).replaceAll(url, "****");
  const pattern = options.dryRun ? /^\s*•\s*(\d+)_/gm : /^Applying migration (\d+)_/gm;
  return { ok: code === 0, applied: [...output.matchAll(pattern)].map((m) => m[1]!), output };
}
