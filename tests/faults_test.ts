/**
 * Faults under steady traffic, on a gateway of its own (`_scratch_gateway.ts`): three tenants, acme's data
 * source and the application database each reached through a TCP proxy the test cuts.
 *
 * - acme's database goes away (connections reset), then stops answering (a partition: nothing gets through,
 *   nobody is told): acme gets 503 with `Retry-After` and no request hangs; globex and initech (another
 *   data source) see no error; when it comes back, acme recovers without a restart.
 * - the application database goes away: routing already cached keeps working until its TTL, then 503;
 *   a user whose routing is not cached gets 503 at once, and so does the admin API; it recovers when the
 *   database is back.
 * - acme's pool is exhausted by statements stuck behind a lock: the requests that cannot get a connection
 *   get 503 `TR506` after the acquire timeout, the stuck ones end at the statement timeout with 57014.
 *
 * Latency figures (time to the first 503, p99 of the other tenants before and during the outage) are
 * printed for the README's Reliability section, not asserted: timing belongs to benchmarks.
 *
 * @module
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { generateKey } from "../functions/_shared/crypto/mod.ts";
import { USERS, userToken } from "./_clients.ts";
import { testStack } from "./_env.ts";
import { startScratchGateway } from "./_scratch_gateway.ts";
import { TcpProxy } from "../functions/_shared/testing/tcp_proxy.ts";
import { describeSamples, latencyQuantile, startTraffic, type TrafficTarget } from "./_traffic.ts";

const stack = testStack();
const DIRECTORY_TTL_MS = 5000;
const STATEMENT_TIMEOUT_MS = 1500;
const ACQUIRE_TIMEOUT_MS = 500;
const ACME_POOL_MAX = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it is true; fails after `timeoutMs`. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(100);
  }
}

Deno.test("the gateway fails closed and fast under faults, and recovers without a restart", async (t) => {
  const port = (url: string) => Number(new URL(url).port);
  // acme's data source is reached through PgBouncer (transaction mode), and PgBouncer through the proxy.
  const tenantProxy = TcpProxy.start(port(stack.tenantPoolerUrls.tenant_acme));
  const appProxy = TcpProxy.start(port(stack.appDbUrl));
  const gateway = await startScratchGateway(stack, {
    name: "faults",
    sealingKeys: [generateKey()],
    dataSources: [
      {
        name: "shared",
        url: stack.tenantPoolerUrls.tenant_shared,
        directUrl: stack.tenantDbUrls.tenant_shared,
        isDefault: true,
      },
      {
        name: "acme_behind_proxy",
        url: tenantProxy.url(stack.tenantPoolerUrls.tenant_acme),
        directUrl: stack.tenantDbUrls.tenant_acme,
        poolMax: ACME_POOL_MAX,
        tenants: ["acme"],
      },
    ],
    serverDatabaseUrl: (url) => appProxy.url(url),
    env: {
      TENANT_DIRECTORY_TTL_MS: String(DIRECTORY_TTL_MS),
      TENANT_DATA_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      TENANT_DATA_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
    },
  });
  const request = async (
    user: { id: string; email: string },
    tenant: string,
    path = "accounts?select=id",
  ) => ({
    label: tenant,
    url: `${gateway.functionsUrl}/tenant-data/rest/v1/${path}`,
    headers: {
      apikey: stack.anonKey,
      authorization: `Bearer ${await userToken(stack, user)}`,
      "x-tenant-id": tenant,
    },
  });
  const send = async (target: TrafficTarget) => {
    const response = await fetch(target.url, {
      headers: target.headers,
      signal: AbortSignal.timeout(15_000),
    });
    const body = await response.json();
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body };
  };
  const acme = await request(USERS.alice, "acme");
  const globex = await request(USERS.grace, "globex");
  const initech = await request(USERS.ivan, "initech");
  try {
    for (const target of [acme, globex, initech]) assert.equal((await send(target)).status, 200);

    const outages = [
      { name: "goes away (connections reset, then refused)", cause: () => tenantProxy.cut() },
      { name: "stops answering (a network partition)", cause: () => tenantProxy.freeze() },
    ];
    for (const { name, cause } of outages) {
      await t.step(`a data source that ${name}: 503 for its tenant only, then recovery`, async () => {
        const traffic = startTraffic([acme, globex, initech], { workersPerTarget: 2 });
        await sleep(3000);
        const brokenAt = performance.now();
        cause();
        await sleep(6000);
        const restoredAt = performance.now();
        tenantProxy.restore();
        await waitFor(
          "acme is served again",
          () => traffic.samples.some((s) => s.label === "acme" && s.sentAt > restoredAt && s.status === 200),
          60_000,
        );
        await sleep(1000);
        const samples = await traffic.stop();
        const of = (label: string, from = 0, to = Infinity) =>
          samples.filter((s) => s.label === label && s.sentAt >= from && s.sentAt < to);

        assert.deepEqual(samples.filter((s) => s.status === 0), [], "no request hung or lost its connection");
        for (const label of ["globex", "initech"]) {
          assert.deepEqual(of(label).filter((s) => s.status !== 200), [], `${label} saw no error`);
        }
        // Requests in flight at the break may get either answer; those answered before it were all served.
        const inFlight = of("acme", 0, brokenAt).filter((s) => s.sentAt + s.ms >= brokenAt);
        assert.deepEqual(
          of("acme", 0, brokenAt).filter((s) => !inFlight.includes(s) && s.status !== 200),
          [],
        );
        const outage = of("acme", brokenAt, restoredAt);
        assert.ok(outage.length > 0);
        for (const sample of [...outage, ...inFlight.filter((s) => s.status !== 200)]) {
          assert.equal(sample.status, 503, "every acme request during the outage is answered 503");
          assert.ok(sample.code === "TR503" || sample.code === "TR506", String(sample.code));
          assert.match(sample.retryAfter ?? "", /^[1-9][0-9]*$/);
        }
        const recovered = of("acme", restoredAt).findIndex((s) => s.status === 200);
        assert.deepEqual(of("acme", restoredAt).slice(recovered).filter((s) => s.status !== 200), []);

        const failed = [...inFlight, ...outage].filter((s) => s.status === 503);
        const firstAnswer = Math.min(...failed.map((s) => s.sentAt + s.ms)) - brokenAt;
        const others = (from: number, to: number) => [...of("globex", from, to), ...of("initech", from, to)];
        const before = others(0, brokenAt);
        const during = others(brokenAt, restoredAt);
        console.log(
          `  data source ${name}: first 503 ${firstAnswer.toFixed(0)} ms after the break; slowest acme ` +
            `answer ${Math.max(...[...inFlight, ...outage].map((s) => s.ms)).toFixed(0)} ms; served again ` +
            `${(of("acme", restoredAt)[recovered]!.sentAt - restoredAt).toFixed(0)} ms after it came back\n` +
            `  acme during the outage: ${describeSamples(outage)}\n` +
            `  other tenants before: ${describeSamples(before)}\n` +
            `  other tenants during: ${describeSamples(during)} ` +
            `(p99 ${(latencyQuantile(during, 0.99) / latencyQuantile(before, 0.99)).toFixed(2)}× before)`,
        );
      });
    }

    await t.step(
      "the application database unreachable: cached routing serves for its TTL, the rest 503",
      async () => {
        // Flush the directory (TRUNCATE messages) so alice's routing is loaded fresh just before the cut.
        for (const [schema, table] of [["public", "tenants"], ["private", "data_sources"]]) {
          const message = JSON.stringify({ schema, table, op: "truncate" });
          await gateway.sql`select pg_notify('tenant_router_config', ${message})`;
        }
        await sleep(500);
        assert.equal((await send(acme)).status, 200);
        const cutAt = performance.now();
        appProxy.cut();
        try {
          assert.equal((await send(acme)).status, 200, "alice's cached routing still serves");
          const olivia = await send(await request(USERS.olivia, "globex"));
          assert.equal(olivia.status, 503, "a user whose routing is not cached cannot be routed");
          assert.equal(olivia.body.code, "TR503");
          assert.ok(olivia.retryAfter);
          const admin = await fetch(`${gateway.functionsUrl}/tenant-admin/tenants`, {
            headers: { apikey: stack.serviceRoleKey, authorization: `Bearer ${stack.serviceRoleKey}` },
          });
          assert.equal(admin.status, 503, "the admin API cannot work without its database either");
          assert.equal((await admin.json()).code, "TR661");
          assert.equal(admin.headers.get("retry-after"), "5");
          let expired: Awaited<ReturnType<typeof send>> | undefined;
          await waitFor("alice's cached routing expires", async () => {
            const answer = await send(acme);
            if (answer.status !== 200) expired = answer;
            return expired !== undefined;
          }, DIRECTORY_TTL_MS + 10_000);
          assert.equal(expired!.status, 503);
          assert.equal(expired!.body.code, "TR503");
          console.log(
            `  application database down: cached routing served for ${
              (performance.now() - cutAt).toFixed(0)
            } ms ` +
              `(TTL ${DIRECTORY_TTL_MS} ms)`,
          );
        } finally {
          appProxy.restore();
        }
        await waitFor("alice is routed again", async () => (await send(acme)).status === 200, 30_000);
      },
    );

    await t.step("an exhausted pool answers 503 TR506; a stuck statement ends at the timeout", async () => {
      const lockHolder = postgres(stack.tenantDbUrls.tenant_acme, { max: 1, onnotice: () => {} });
      let unlock!: () => void;
      const locked = new Promise<void>((resolve) => unlock = resolve);
      let holding!: () => void;
      const held = new Promise<void>((resolve) => holding = resolve);
      const lock = lockHolder.begin(async (tx) => {
        await tx`lock table public.accounts in access exclusive mode`;
        holding();
        await locked;
      });
      try {
        await held;
        const answers = await Promise.all(Array.from({ length: ACME_POOL_MAX + 5 }, () => send(acme)));
        const codes = answers.map((answer) => answer.body.code as string);
        assert.ok(codes.every((code) => code === "TR506" || code === "57014"), codes.join(", "));
        const busy = answers.filter((answer) => answer.body.code === "TR506");
        const stuck = answers.filter((answer) => answer.body.code === "57014");
        assert.ok(busy.length >= 5, `at least 5 of ${answers.length} found no free connection`);
        assert.ok(stuck.length >= 1, "the requests holding connections hit the statement timeout");
        for (const answer of busy) {
          assert.equal(answer.status, 503);
          assert.equal(answer.retryAfter, "1");
          assert.match(answer.body.message, /all its connections are in use/);
        }
        for (const answer of stuck) {
          assert.equal(answer.status, 500); // PostgREST's status for SQLSTATE 57014
          assert.equal(answer.body.message, "canceling statement due to statement timeout");
          assert.match(answer.body.hint, /statement timeout/);
        }
      } finally {
        unlock();
        await lock;
        await lockHolder.end();
      }
      const after = await send(acme);
      assert.equal(after.status, 200, "the pool kept all its connections");
    });
  } finally {
    await gateway.stop();
    tenantProxy.close();
    appProxy.close();
  }
});
