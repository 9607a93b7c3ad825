/**
 * Rotation under load, on a gateway of its own (`_scratch_gateway.ts`): while three tenants read and write
 * without pause, the operator rotates the encryption key (`POST /keys/rotate`: every secret re-encrypted,
 * the old key retired) and then replaces both data sources' credentials with another login role
 * (`PUT /data-sources/:name/credentials`), and finally disables the old role's logins. Not one request
 * may fail: the gateway hears each change (NOTIFY), opens pools with the new credentials and lets the old
 * pools finish their requests before it ends them.
 *
 * @module
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { generateKey } from "../functions/_shared/crypto/mod.ts";
import { TENANTS, USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";
import { startScratchGateway } from "./_scratch_gateway.ts";
import { describeSamples, startTraffic, type TrafficTarget } from "./_traffic.ts";

const stack = testStack();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A login role that can only become `authenticated`: what a data source's credentials should name. */
interface LoginRole {
  name: string;
  password: string;
}

function withLogin(url: string, role: LoginRole): string {
  const parsed = new URL(url);
  parsed.username = role.name;
  parsed.password = role.password;
  return parsed.toString();
}

Deno.test("rotating the key and replacing credentials under traffic fails no request", async () => {
  const cluster = postgres(stack.appDbUrl, { max: 1, onnotice: () => {} });
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 8);
  const [roleA, roleB]: LoginRole[] = ["a", "b"].map((letter) => ({
    name: `tr_rotation_${letter}_${suffix}`,
    password: crypto.randomUUID(),
  }));
  for (const role of [roleA!, roleB!]) {
    await cluster.unsafe(`create role ${role.name} login password '${role.password}' in role authenticated`);
  }
  const oldKey = generateKey();
  const newKey = { ...generateKey(), id: `${oldKey.id}n` };
  const gateway = await startScratchGateway(stack, {
    name: "rotation",
    sealingKeys: [oldKey],
    // Deployed first, as the rotation procedure says: the functions know both keys, the new one active.
    serverKeys: [newKey, oldKey],
    dataSources: [
      { name: "shared", url: withLogin(stack.tenantDbUrls.tenant_shared, roleA!), isDefault: true },
      { name: "acme", url: withLogin(stack.tenantDbUrls.tenant_acme, roleA!), tenants: ["acme"] },
    ],
  });
  const acmeDb = postgres(stack.tenantDbUrls.tenant_acme, { max: 1, onnotice: () => {} });
  try {
    const [account] = await acmeDb<{ id: string; name: string }[]>`
      select id, name from public.accounts where tenant_id = ${TENANTS.acme} order by id limit 1`;
    const target = async (user: { id: string; email: string }, tenant: string, write?: boolean) => ({
      label: `${tenant} ${write ? "write" : "read"}`,
      url: `${gateway.functionsUrl}/tenant-data/rest/v1/accounts?` +
        (write ? `id=eq.${account!.id}` : "select=id,name&order=name&limit=5"),
      method: write ? "PATCH" : "GET",
      headers: {
        apikey: stack.anonKey,
        authorization: `Bearer ${await userToken(stack, user)}`,
        "x-tenant-id": tenant,
        ...(write ? { "content-type": "application/json", prefer: "return=minimal" } : {}),
      },
      ...(write ? { body: JSON.stringify({ name: account!.name }) } : {}),
    } satisfies TrafficTarget);
    const admin = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${gateway.functionsUrl}/tenant-admin${path}`, {
        method,
        headers: {
          apikey: stack.serviceRoleKey,
          authorization: `Bearer ${stack.serviceRoleKey}`,
          "content-type": "application/json",
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = await response.json();
      assert.equal(response.status, 200, JSON.stringify(json));
      return json;
    };
    const sessions = async (role: LoginRole) => {
      const [row] = await cluster<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where usename = ${role.name} and application_name = 'tenant-data'`;
      return row!.n;
    };

    const traffic = startTraffic([
      await target(USERS.alice, "acme"),
      await target(USERS.alice, "acme", true),
      await target(USERS.grace, "globex"),
      await target(USERS.ivan, "initech"),
    ], { workersPerTarget: 4 });
    await sleep(1500);

    const rotation = await admin("POST", "/keys/rotate");
    assert.equal(rotation.active_key_id, newKey.id);
    assert.equal(rotation.reencrypted, 2);
    assert.deepEqual(rotation.retired_key_ids, [oldKey.id]);
    assert.deepEqual(rotation.failed, []);
    await sleep(1500);

    for (const [name, database] of [["shared", "tenant_shared"], ["acme", "tenant_acme"]] as const) {
      await admin("PUT", `/data-sources/${name}/credentials`, {
        credentials: { url: withLogin(stack.tenantDbUrls[database], roleB!) },
      });
    }
    // The old pools end once their last requests are done; then the old role may lose its logins.
    const deadline = Date.now() + 20_000;
    while (await sessions(roleA!) > 0) {
      assert.ok(Date.now() < deadline, "the gateway let go of the old credentials' connections");
      await sleep(100);
    }
    await cluster.unsafe(`alter role ${roleA!.name} nologin`);
    await sleep(1500);
    const samples = await traffic.stop();

    console.log(`  rotation under load: ${describeSamples(samples)}`);
    assert.ok(samples.length > 100, "traffic ran throughout");
    assert.deepEqual(samples.filter((sample) => sample.status < 200 || sample.status > 299), []);
    for (const label of ["acme read", "acme write", "globex read", "initech read"]) {
      assert.ok(samples.some((sample) => sample.label === label), label);
    }
    assert.ok(await sessions(roleB!) > 0, "the gateway now connects with the new credentials");
    const log = await Deno.readTextFile(gateway.logFile);
    for (const secret of [oldKey.hex, newKey.hex, roleA!.password, roleB!.password]) {
      assert.ok(!log.includes(secret), "no key or password in the functions server's log");
    }
  } finally {
    await gateway.stop();
    await acmeDb.end();
    for (const role of [roleA!, roleB!]) {
      await cluster.unsafe(
        `select pg_terminate_backend(pid) from pg_stat_activity where usename = '${role.name}'`,
      );
      await cluster.unsafe(`drop role if exists ${role.name}`);
    }
    await cluster.end();
  }
});
