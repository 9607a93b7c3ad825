// Entry point of the npm scripts. Node.js only makes sure node_modules exist (they bring Deno and the
// Supabase CLI), then hands the command to the Deno program that does the work.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const programs = {
  stack: "scripts/stack/main.ts",
  test: "scripts/run_tests.ts",
  tenants: "scripts/tenants/main.ts",
  bench: "bench/main.ts",
  "bench-moves": "bench/move_bench.ts",
  "bench-load": "bench/load_bench.ts",
  "bench-app-db": "bench/app_db_scale.ts",
  "bench-scale": "bench/scale_bench.ts",
  "bench-profile": "bench/profile.ts",
};

// The one check npm's engines would make for Node itself (.npmrc shows npm's errors only).
if (Number(process.versions.node.split(".")[0]) < 20) {
  console.error(`Node.js 20 or later is needed; this is ${process.version}.`);
  process.exit(1);
}

const [command, ...args] = process.argv.slice(2);
const program = programs[command];
if (!program) {
  console.error(`Unknown command "${command}": expected one of ${Object.keys(programs).join(", ")}`);
  process.exit(2);
}

const deno = join(root, "node_modules", ".bin", "deno");
if (!existsSync(deno) || !existsSync(join(root, "node_modules", ".bin", "supabase"))) {
  console.error("Installing npm dependencies (npm ci)…");
  const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const run = spawnSync(deno, ["run", "--allow-all", "--quiet", join(root, program), ...args], {
  cwd: root,
  stdio: "inherit",
});
process.exit(run.status ?? 1);
