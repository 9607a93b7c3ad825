// Test helper: the real Supabase CLI's `db push` against a database. TEST ONLY.
import { ROOT } from "../../admin/testdata/helpers.ts";

/** Runs `supabase db push --workdir tenant-db --db-url <url>` (with `--dry-run` when asked). */
export async function supabaseDbPush(
  url: string,
  options: { dryRun?: boolean } = {},
): Promise<{ code: number; output: string }> {
  const cliUrl = new URL(url.replace("@127.0.0.1:", "@localhost:"));
  cliUrl.searchParams.set("sslmode", "disable");
  const { code, stdout, stderr } = await new Deno.Command(`${ROOT}/node_modules/.bin/supabase`, {
    args: [
      "db",
      "push",
      "--workdir",
      "tenant-db",
      "--db-url",
      cliUrl.toString(),
      options.dryRun ? "--dry-run" : "--yes",
    ],
    cwd: ROOT,
    env: { SUPABASE_TELEMETRY_DISABLED: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}
