/**
 * The README's two commands from a checkout in a folder the postgres OS user cannot enter, as a newcomer
 * runs them as root (root's home folder is `drwx------` on Debian, and so is every `mktemp -d` folder): the
 * checkout's files copied into a fresh 0700 folder (node_modules linked, to keep it quick; a fresh install
 * is `npm_install_test.ts`'s), then `npm start`, `npm run status` and `npm stop`. Checks that the stack
 * comes up with its data where the postgres user can reach it (and says where), and that the status has no
 * padded lines. The copy's stack gets ports of its own, so the test stack is untouched.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "../scripts/stack/profile.ts";
import { isRoot, runCommand } from "../scripts/stack/process.ts";

/** A port offset whose dev-stack ports (54321/54322 + offset) nobody listens on. */
function freeOffset(): number {
  const base = Number(Deno.env.get("TENANT_ROUTER_PORT_OFFSET") ?? "0") || 0;
  for (let offset = base + 50; offset < base + 100 && offset < 1000; offset++) {
    const ports = [54321 + offset, 54322 + offset];
    try {
      for (const port of ports) Deno.listen({ hostname: "127.0.0.1", port }).close();
      return offset;
    } catch {
      // taken: try the next
    }
  }
  throw new Error("No free ports for the copy's stack");
}

async function copyCheckout(target: string): Promise<void> {
  const { stdout } = await runCommand(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: PROJECT_ROOT,
    },
  );
  for (const file of stdout.split("\0").filter(Boolean)) {
    const source = join(PROJECT_ROOT, file);
    // Files deleted in the working tree but still in the index are not part of the checkout.
    if (!(await Deno.stat(source).then((info) => info.isFile, () => false))) continue;
    await Deno.mkdir(dirname(join(target, file)), { recursive: true });
    await Deno.copyFile(source, join(target, file));
  }
}

Deno.test({
  name: "npm start, status and stop work from a checkout in a 0700 folder, with plain status lines",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const folder = await Deno.makeTempDir({ prefix: "tr-private-" });
    await Deno.chmod(folder, 0o700);
    const checkout = join(folder, "tenant-router");
    const env = { TENANT_ROUTER_PORT_OFFSET: String(freeOffset()), NO_COLOR: "1" };
    const npm = (args: string[]) => runCommand("npm", args, { cwd: checkout, env });
    let dataDir: string | undefined;
    try {
      if (isRoot()) {
        const enter = await runCommand("test", ["-x", checkout], { asPostgres: true });
        assert.notEqual(enter.code, 0, "the postgres user cannot enter the folder (the case under test)");
      }
      await copyCheckout(checkout);
      await Deno.symlink(join(PROJECT_ROOT, "node_modules"), join(checkout, "node_modules"));

      const start = await npm(["start"]);
      const startOutput = `${start.stdout}${start.stderr}`;
      assert.equal(start.code, 0, `npm start failed:\n${startOutput}`);
      assert.doesNotMatch(
        startOutput,
        /npm warn|EBADENGINE|install-scripts/i,
        "the install prints no warning",
      );
      for (const line of start.stdout.split("\n")) assert.doesNotMatch(line, /\s$/, `a padded line: ${line}`);

      const status = await npm(["run", "--silent", "status", "--", "--json"]);
      assert.equal(status.code, 0, status.stderr);
      const json = JSON.parse(status.stdout);
      dataDir = json.pg_data_dir as string;
      assert.equal(json.database_running, true);
      assert.equal(json.functions_running, true);
      assert.deepEqual(json.tenants.map((t: { slug: string }) => t.slug), ["acme", "globex", "initech"]);
      assert.match(start.stdout, new RegExp(`^PostgreSQL +running, data in ${dataDir}$`, "m"));
      if (isRoot()) {
        assert.ok(!dataDir.startsWith(folder), `the data lives outside the private folder: ${dataDir}`);
        const readable = await runCommand("test", ["-r", join(dataDir, "PG_VERSION")], { asPostgres: true });
        assert.equal(readable.code, 0, "the postgres user reaches its data");
      }

      const plain = await npm(["run", "--silent", "status"]);
      assert.equal(plain.code, 0, plain.stderr);
      for (const line of plain.stdout.split("\n")) assert.doesNotMatch(line, /\s$/, `a padded line: ${line}`);
      assert.ok(plain.stdout.split("\n").includes("Functions server  running"), plain.stdout);

      const stop = await npm(["stop"]);
      assert.equal(stop.code, 0, stop.stderr);
      const stopped = JSON.parse((await npm(["run", "--silent", "status", "--", "--json"])).stdout);
      assert.equal(stopped.database_running, false);
      assert.equal(stopped.functions_running, false);
    } finally {
      await npm(["stop"]).catch(() => {});
      await Deno.remove(folder, { recursive: true });
      // The cluster kept outside the folder (~postgres/tenant-router/<checkout>): remove it with the folder.
      if (dataDir && !dataDir.startsWith(folder) && dataDir.includes("/tenant-router/")) {
        await Deno.remove(dirname(dataDir), { recursive: true });
      }
    }
  },
});
