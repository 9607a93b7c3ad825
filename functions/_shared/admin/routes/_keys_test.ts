import assert from "node:assert/strict";
import { generateKey, Keyring } from "../../crypto/mod.ts";
import {
  connect,
  createScratchDatabase,
  databaseEnv,
  serviceToken,
  testHandler,
} from "../testdata/helpers.ts";

const env = databaseEnv();

// Rotation changes the application database's key registry for good (retired keys cannot come back),
// so it runs on a scratch application database, never on the shared test database.
Deno.test({
  name:
    "key rotation registers the active key, re-encrypts every secret, retires the old key and is idempotent",
  async fn() {
    const scratch = await createScratchDatabase(env!.dbUrl, { applicationSchema: true });
    const sql = connect(scratch.url);
    const [k1, k2] = [generateKey(), generateKey({ date: new Date("2030-01-01") })];
    const first = await testHandler({ dbUrl: scratch.url, keyring: await Keyring.fromKeys([k1]) });
    const second = await testHandler({
      dbUrl: scratch.url,
      keyring: await Keyring.fromKeys([k1, k2], { activeKeyId: k2.id }),
    });
    try {
      const service = await serviceToken();
      // An empty registry: the first rotation registers k1 and makes it active.
      const initial = await first.call("POST", "/keys/rotate", { token: service });
      assert.equal(initial.status, 200, initial.text);
      assert.deepEqual(initial.json.registered, [k1.id]);
      assert.equal(initial.json.activated, true);
      for (const name of ["one", "two"]) {
        const registered = await first.call("POST", "/data-sources", {
          token: service,
          body: {
            name,
            kind: "postgres",
            credentials: { url: env!.sharedDbUrl },
            is_default: name === "one",
          },
        });
        assert.equal(registered.status, 201, registered.text);
        assert.equal(registered.json.key_id, k1.id);
      }
      // The new key is configured but not yet active in the registry: sealing with it is refused.
      const early = await second.call("POST", "/data-sources", {
        token: service,
        body: { name: "three", kind: "postgres", credentials: { url: env!.sharedDbUrl } },
      });
      assert.equal(early.status, 409);
      assert.equal(early.json.code, "TR634");

      const rotated = await second.call("POST", "/keys/rotate", { token: service });
      assert.equal(rotated.status, 200, rotated.text);
      assert.deepEqual(
        { ...rotated.json },
        {
          active_key_id: k2.id,
          registered: [k2.id],
          activated: true,
          reencrypted: 2,
          retired: 1,
          retired_key_ids: [k1.id],
          failed: [],
        },
      );
      assert.ok(!rotated.text.includes(k1.hex) && !rotated.text.includes(k2.hex));

      const sources = await second.call("GET", "/data-sources", { token: service });
      for (const source of sources.json) {
        assert.equal(source.key_id, k2.id);
        assert.equal(source.credentials_error, null);
        assert.match(source.masked_url, /^postgresql:\/\/postgres:\*\*\*\*@/);
      }
      const tested = await second.call("POST", "/data-sources/one/test", { token: service });
      assert.equal(tested.json.ok, true, tested.text);

      const keys = await second.call("GET", "/keys", { token: service });
      assert.deepEqual(
        keys.json.map((
          key: { id: string; status: string; secrets: number },
        ) => [key.id, key.status, key.secrets]).sort(),
        [[k1.id, "retired", 0], [k2.id, "active", 2]].sort(),
      );
      assert.ok(keys.json.every((key: { fingerprint_matches: boolean }) => key.fingerprint_matches === true));

      const again = await second.call("POST", "/keys/rotate", { token: service });
      assert.equal(again.json.reencrypted, 0);
      assert.equal(again.json.retired, 0);
      assert.equal(again.json.activated, false);

      // Going back to the retired key is refused; so is a key id reused for different key material.
      const back = await first.call("POST", "/keys/rotate", { token: service });
      assert.equal(back.status, 409);
      assert.equal(back.json.code, "TR634");
      const impostor = await testHandler({
        dbUrl: scratch.url,
        keyring: await Keyring.fromKeys([{ id: k2.id, hex: generateKey().hex }]),
      });
      const refused = await impostor.call("POST", "/keys/rotate", { token: service });
      await impostor.close();
      assert.equal(refused.status, 409);
      assert.match(refused.json.message, /different key/);

      const audit = await sql<{ actor_role: string }[]>`
        select distinct actor_role from public.audit_log where entity = 'private.encryption_keys'`;
      assert.deepEqual(audit.map((row) => row.actor_role), ["service_role"]);
    } finally {
      await first.close();
      await second.close();
      await sql.end();
      await scratch.drop();
    }
  },
});
