/**
 * The layers of README.md ("Layout"), checked on every import of the product code: a module imports only
 * from its own room or from rooms of lower layers, reaches another room only through its `mod.ts`, and
 * never imports a test helper. Test files (`*_test.ts`, `*_bench.ts`, `testdata/`), `tests/` and `bench/`
 * are exempt: they may reach into what they test.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "../.."));

/**
 * Every room of the product code and its layer, from the bottom up. A room may import rooms of a lower
 * layer only; rooms of one layer are independent of each other, except where the fraction orders them
 * (`tenancy` builds on `data_sources`, `plan` on `parse`, `moves` on `control_plane`).
 */
const LAYERS: Readonly<Record<string, number>> = {
  // 1: leaves
  "functions/_shared/errors": 1,
  "functions/_shared/env": 1,
  "functions/_shared/http": 1.1,
  "functions/_shared/crypto": 1.1,
  "functions/_shared/postgres_js": 1.1,
  // 2: the catalog snapshot and authentication
  "functions/_shared/catalog": 2,
  "functions/_shared/auth": 2,
  // 3: data sources (read, decrypt, cache, serve), the tenant schema's migrations, then tenancy
  "functions/_shared/data_sources": 3,
  "functions/_shared/provision": 3,
  "functions/_shared/tenancy": 3.1,
  // 4: the request language, stage by stage; pure
  "functions/_shared/postgrest/parse": 4,
  "functions/_shared/postgrest/plan": 4.1,
  "functions/_shared/postgrest/sql": 4.2,
  "functions/_shared/postgrest": 4.3,
  // 5: use cases of the control plane, then the move engine
  "functions/_shared/control_plane": 5,
  "functions/_shared/moves": 5.1,
  // 6: transports
  "functions/_shared/gateway": 6,
  "functions/_shared/admin": 6,
  "scripts/tenants": 6,
  // 7: the functions' entry points
  "functions/tenant-data": 7,
  "functions/tenant-admin": 7,
};

/** Folders only tests may import. */
const TEST_ONLY = ["functions/_shared/testing"];

/** One module of the product code: its path from the repository root and the relative paths it imports. */
interface ModuleImports {
  path: string;
  imports: string[];
}

/** The room a path belongs to: the longest room of {@linkcode LAYERS} that contains it. */
function roomOf(path: string): string | undefined {
  let best: string | undefined;
  for (const room of Object.keys(LAYERS)) {
    if (path.startsWith(`${room}/`) && (best === undefined || room.length > best.length)) best = room;
  }
  return best;
}

function isTestCode(path: string): boolean {
  return /_(test|bench)\.ts$/.test(path) || path.split("/").includes("testdata");
}

/** The violations of the layering among `modules`; each a sentence naming both files. */
function checkLayers(modules: readonly ModuleImports[], hasDoor: (room: string) => boolean): string[] {
  const problems: string[] = [];
  for (const { path, imports } of modules) {
    const room = roomOf(path);
    if (room === undefined) {
      problems.push(`${path} is in no room of the layer table: add its folder to LAYERS and README.md`);
      continue;
    }
    for (const target of imports) {
      if (TEST_ONLY.some((folder) => target.startsWith(`${folder}/`)) || isTestCode(target)) {
        problems.push(`${path} imports test code ${target}`);
        continue;
      }
      const targetRoom = roomOf(target);
      if (targetRoom === undefined || targetRoom === room) continue;
      if (LAYERS[targetRoom]! >= LAYERS[room]!) {
        problems.push(
          `${path} (layer ${LAYERS[room]}) imports ${target} of ${targetRoom} (layer ${LAYERS[targetRoom]})`,
        );
      }
      const inside = relative(targetRoom, target);
      if (inside.split("/").some((part) => part.startsWith("_"))) {
        problems.push(`${path} reaches into the private ${target} of ${targetRoom}`);
      } else if (hasDoor(targetRoom) && inside !== "mod.ts") {
        problems.push(`${path} bypasses ${targetRoom}/mod.ts to import ${target}`);
      }
    }
  }
  return problems;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The relative imports of a source text, resolved to paths from the repository root. */
function importsOf(path: string, source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2]!;
    if (specifier.startsWith(".")) found.push(normalize(join(dirname(path), specifier)));
  }
  return found;
}

async function productModules(): Promise<ModuleImports[]> {
  const modules: ModuleImports[] = [];
  async function walk(folder: string): Promise<void> {
    for await (const entry of Deno.readDir(join(ROOT, folder))) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) {
        if (!TEST_ONLY.includes(path) && entry.name !== "testdata") await walk(path);
      } else if (entry.name.endsWith(".ts") && !isTestCode(path)) {
        modules.push({ path, imports: importsOf(path, await Deno.readTextFile(join(ROOT, path))) });
      }
    }
  }
  for (const folder of ["functions", "scripts/tenants"]) await walk(folder);
  return modules;
}

function hasDoor(room: string): boolean {
  try {
    return Deno.statSync(join(ROOT, room, "mod.ts")).isFile;
  } catch {
    return false;
  }
}

Deno.test("no module imports from a higher layer, another room's private file or around a mod.ts", async () => {
  const modules = await productModules();
  assert.ok(modules.length > 150, `found only ${modules.length} modules`);
  assert.ok(modules.some((module) => module.imports.length > 0), "found no imports");
  assert.deepEqual(checkLayers(modules, hasDoor), []);
});

Deno.test("the layer check catches an upward import, a private reach, a bypassed door and test code", () => {
  const problems = checkLayers([
    { path: "functions/_shared/data_sources/x.ts", imports: ["functions/_shared/gateway/mod.ts"] },
    { path: "functions/_shared/gateway/x.ts", imports: ["functions/_shared/tenancy/_config_listener.ts"] },
    { path: "functions/_shared/moves/x.ts", imports: ["functions/_shared/catalog/load_catalog.ts"] },
    { path: "functions/_shared/auth/x.ts", imports: ["functions/_shared/testing/require_env.ts"] },
    { path: "functions/_shared/postgrest/parse/x.ts", imports: ["functions/_shared/postgrest/plan/mod.ts"] },
    { path: "functions/_shared/catalog/x.ts", imports: ["functions/_shared/auth/mod.ts"] },
    { path: "functions/_shared/newroom/x.ts", imports: [] },
    // allowed: own room, a lower room through its door
    { path: "functions/_shared/gateway/y.ts", imports: ["functions/_shared/gateway/_z.ts"] },
    { path: "functions/_shared/postgrest/sql/y.ts", imports: ["functions/_shared/postgrest/plan/mod.ts"] },
  ], () => true);
  assert.deepEqual(problems, [
    "functions/_shared/data_sources/x.ts (layer 3) imports functions/_shared/gateway/mod.ts of functions/_shared/gateway (layer 6)",
    "functions/_shared/gateway/x.ts reaches into the private functions/_shared/tenancy/_config_listener.ts of functions/_shared/tenancy",
    "functions/_shared/moves/x.ts bypasses functions/_shared/catalog/mod.ts to import functions/_shared/catalog/load_catalog.ts",
    "functions/_shared/auth/x.ts imports test code functions/_shared/testing/require_env.ts",
    "functions/_shared/postgrest/parse/x.ts (layer 4) imports functions/_shared/postgrest/plan/mod.ts of functions/_shared/postgrest/plan (layer 4.1)",
    "functions/_shared/catalog/x.ts (layer 2) imports functions/_shared/auth/mod.ts of functions/_shared/auth (layer 2)",
    "functions/_shared/newroom/x.ts is in no room of the layer table: add its folder to LAYERS and README.md",
  ]);
});
