/**
 * `npm install` / `npm ci` on the Node.js the machine has (20+) prints no warning a newcomer has to wonder
 * about: no EBADENGINE for the libraries only Deno runs (see .npmrc) and no unreviewed install script (deno's
 * is allowed in package.json's `allowScripts`). Checked on a copy of the project's npm files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../scripts/stack/profile.ts";
import { runCommand } from "../scripts/stack/process.ts";

async function npmFilesCopy(): Promise<string> {
  const folder = await Deno.makeTempDir({ prefix: "tr-npm-" });
  for (const file of ["package.json", "package-lock.json", ".npmrc"]) {
    await Deno.copyFile(join(PROJECT_ROOT, file), join(folder, file));
  }
  return folder;
}

Deno.test("npm ci plans the install without a warning", async () => {
  const folder = await npmFilesCopy();
  try {
    const { code, stdout, stderr } = await runCommand("npm", ["ci", "--dry-run", "--prefer-offline"], {
      cwd: folder,
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /add @supabase\/supabase-js 2\.119\.0/, "the dry run saw the Deno-run libraries");
    assert.doesNotMatch(`${stdout}${stderr}`, /warn|EBADENGINE/i);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("every install script in node_modules is reviewed (deno's is allowed)", async () => {
  const folder = await npmFilesCopy();
  try {
    await Deno.symlink(join(PROJECT_ROOT, "node_modules"), join(folder, "node_modules"));
    const { code, stdout, stderr } = await runCommand("npm", ["install-scripts", "ls", "--loglevel=warn"], {
      cwd: folder,
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /No packages with unreviewed install scripts/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
