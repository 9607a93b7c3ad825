/**
 * `npm test`: everything, on an isolated stack (its own ports and `.local/test/`), so a running dev stack
 * is untouched. Static checks (fmt, lint, types), pgTAP with pg_prove on both database projects, then the
 * Deno tests (unit tests beside modules, end-to-end tests in `tests/`). Ends with `N passed, N failed`.
 *
 * `npm test -- <paths…>` runs only the Deno tests of those files or folders on the same fresh stack
 * (no static checks, no pgTAP): the quick loop while working on one test.
 *
 * @module
 */
import { join } from "node:path";
import { resetStack, startStack, stopStack } from "./stack/stack.ts";
import { functionsEnv } from "./stack/functions_process.ts";
import {
  APP_DATABASE,
  databaseUrl,
  poolerUrl,
  PROJECT_ROOT,
  stackProfile,
  TENANT_DATABASES,
} from "./stack/profile.ts";

interface Tally {
  passed: number;
  failed: number;
}

const tally: Tally = { passed: 0, failed: 0 };
const deno = Deno.execPath();
const profile = stackProfile("test");
/** Files or folders to test alone (`npm test -- tests/moves_test.ts`); empty: everything. */
const only = Deno.args;

function record(name: string, ok: boolean): void {
  ok ? tally.passed++ : tally.failed++;
  console.log(`${ok ? "ok" : "FAILED"}: ${name}`);
}

/** Runs a program with its output shown and captured. */
async function run(program: string, args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(program, {
    args,
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    output += decoder.decode(chunk, { stream: true });
    await Deno.stdout.write(chunk);
  }
  return { code: (await child.status).code, output };
}

/** Counts pgTAP assertions from pg_prove's verbose TAP; a file that dies counts as one failure. */
async function pgProve(database: string, testDir: string): Promise<void> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(PROJECT_ROOT, testDir))) {
    if (entry.name.endsWith(".test.sql")) files.push(join(testDir, entry.name));
  }
  const { code, output } = await run("pg_prove", [
    "--verbose",
    "-h",
    "127.0.0.1",
    "-p",
    String(profile.pgPort),
    "-U",
    "postgres",
    "-d",
    database,
    ...files.sort(),
  ], { PGPASSWORD: "postgres" });
  const passed = output.match(/^\s*ok \d+/gm)?.length ?? 0;
  const failed = output.match(/^\s*not ok \d+/gm)?.length ?? 0;
  tally.passed += passed;
  tally.failed += failed + (code !== 0 && failed === 0 ? 1 : 0);
  console.log(`pgTAP ${testDir} on ${database}: ${passed} passed, ${failed} failed (pg_prove exit ${code})`);
}

try {
  await stopStack(profile);
  await Deno.remove(profile.dataDir, { recursive: true }).catch(() => {});
  const stack = await startStack(profile);

  // startStack reset the databases once; a second reset proves `db:reset` runs twice in a row.
  if (only.length === 0) {
    record(
      "db:reset runs twice in a row",
      await resetStack(stack).then(() => true, (error) => {
        console.error(error);
        return false;
      }),
    );

    for (
      const [name, args] of [
        ["deno fmt --check", ["fmt", "--check"]],
        ["deno lint", ["lint"]],
        ["deno check", ["check", "functions", "scripts", "tests", "bench"]],
      ] as const
    ) {
      record(name, (await run(deno, [...args])).code === 0);
    }

    await pgProve(APP_DATABASE, "supabase/tests");
    for (const database of TENANT_DATABASES) await pgProve(database, "tenant-db/supabase/tests");
  }

  const env = {
    ...functionsEnv(profile, stack.secrets),
    TENANT_ROUTER_TEST: "1",
    ...Object.fromEntries(
      TENANT_DATABASES.flatMap((name) => [
        [`${name.toUpperCase()}_DB_URL`, databaseUrl(profile, name)],
        [`${name.toUpperCase()}_POOLER_URL`, poolerUrl(profile, name)],
      ]),
    ),
  };
  const unit = await run(deno, [
    "test",
    "--allow-all",
    "--no-check",
    ...(only.length > 0 ? only : ["functions", "scripts", "tests", "bench"]),
  ], env);
  const summary = /(\d+) passed.*?(\d+) failed/.exec(
    unit.output.split("\n").reverse().find((l) => / passed /.test(l)) ?? "",
  );
  const [passed, failed] = [Number(summary?.[1] ?? 0), Number(summary?.[2] ?? 0)];
  tally.passed += passed;
  tally.failed += failed + (unit.code !== 0 && failed === 0 ? 1 : 0);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  tally.failed++;
} finally {
  await stopStack(profile).catch((error) => console.error(`Could not stop the test stack: ${error}`));
}

console.log(`\n${tally.passed} passed, ${tally.failed} failed`);
Deno.exit(tally.failed === 0 ? 0 : 1);
