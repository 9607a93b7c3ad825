/**
 * `npm run tenants -- check` on the demo stack: green as seeded, red for exactly the tenants of a data
 * source whose ciphertext was corrupted, and never a secret in its output.
 */
import assert from "node:assert/strict";
import { adminSql } from "./_clients.ts";
import { testStack } from "./_env.ts";

const stack = testStack();

async function check(): Promise<{ code: number; output: string; report: { tenants: CheckedTenant[] } }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "scripts/tenants/main.ts", "check", "--json"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  return { code, output, report: JSON.parse(new TextDecoder().decode(stdout)) };
}

interface CheckedTenant {
  tenant: string;
  decrypted: boolean;
  problems: string[];
}

function secrets(): string[] {
  const keys = (Deno.env.get("TENANT_ENCRYPTION_KEYS") ?? "").split(",").map((entry) =>
    entry.split(":")[1] ?? ""
  );
  return [...keys.filter(Boolean), "://postgres:postgres@", stack.jwtSecret, stack.serviceRoleKey];
}

Deno.test("tenants check passes on the demo stack and fails only for the tenants of a corrupted data source", async () => {
  const healthy = await check();
  assert.equal(healthy.code, 0, healthy.output);
  assert.deepEqual(healthy.report.tenants.map((t) => [t.tenant, t.problems.length]).sort(), [
    ["acme", 0],
    ["globex", 0],
    ["initech", 0],
  ]);

  // Flip one bit of tenant_acme's ciphertext: authentication must fail, for acme only.
  const flip = (sql: Parameters<Parameters<typeof adminSql>[1]>[0]) =>
    sql`update private.data_sources
        set secret_ciphertext = set_byte(secret_ciphertext, 20, get_byte(secret_ciphertext, 20) # 1)
        where name = 'tenant_acme'`;
  await adminSql(stack.appDbUrl, flip);
  try {
    const broken = await check();
    assert.equal(broken.code, 1, broken.output);
    const byTenant = Object.fromEntries(broken.report.tenants.map((t) => [t.tenant, t]));
    assert.equal(byTenant.acme?.decrypted, false);
    assert.ok((byTenant.acme?.problems.length ?? 0) > 0);
    assert.deepEqual([byTenant.globex?.problems, byTenant.initech?.problems], [[], []]);
    for (const secret of secrets()) assert.ok(!broken.output.includes(secret), "a secret is in the output");
  } finally {
    await adminSql(stack.appDbUrl, flip); // the same flip again restores the byte
  }
  assert.equal((await check()).code, 0);
});
