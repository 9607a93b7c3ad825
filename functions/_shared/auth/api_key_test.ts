import assert from "node:assert/strict";
import { ApiKeyVerifier } from "./api_key.ts";
import { AuthConfigError } from "./errors.ts";
import { JwtVerifier } from "./jwt_verifier.ts";
import {
  assertRefused,
  assertSafeError,
  caught,
  fakeClock,
  OTHER_SECRET,
  SECRET,
  sign,
  START_S,
  userClaims,
} from "./testdata/helpers.ts";

const jwtVerifier = await JwtVerifier.create({ secret: SECRET, now: fakeClock().now });
// The keys exactly as the local stack mints them (scripts/stack/secrets.ts).
const anonKey = await sign({ iss: "supabase-demo", role: "anon", exp: 1983812996 });
const serviceKey = await sign({ iss: "supabase-demo", role: "service_role", exp: 1983812996 });
const PUBLISHABLE = "sb_publishable_Zx8vQ2mN4pL7kR1tY6wE3u_Aa9Bc";
const SECRET_KEY = "sb_secret_Hq5Jd2Lk8Pz3Xc7Vb1Nm4Rt6_Ys0We";

const MISSING = "No API key found in request: set the apikey header to the project's anon key";
const INVALID = "Invalid API key: set the apikey header to the project's anon key";

function apikey(value?: string): Headers {
  return new Headers(value === undefined ? {} : { apikey: value });
}

const apiKeys = ApiKeyVerifier.create({
  jwtVerifier,
  publishableKeys: [PUBLISHABLE],
  secretKeys: [SECRET_KEY],
});

Deno.test("verify() grants anon for the anon key and service_role for the service-role key, until their exp", async () => {
  const expiresAt = 1983812996 * 1000;
  assert.deepEqual(await apiKeys.verify(apikey(anonKey)), { role: "anon", kind: "jwt", expiresAt });
  assert.deepEqual(await apiKeys.verify(apikey(serviceKey)), {
    role: "service_role",
    kind: "jwt",
    expiresAt,
  });
});

Deno.test("verify() grants anon for a publishable key and service_role for a secret key", async () => {
  assert.deepEqual(await apiKeys.verify(apikey(PUBLISHABLE)), { role: "anon", kind: "publishable" });
  assert.deepEqual(await apiKeys.verify(apikey(SECRET_KEY)), { role: "service_role", kind: "secret" });
});

Deno.test("verify() answers TR001 without an apikey header", async () => {
  for (const value of [undefined, "", "   "]) {
    const err = await assertRefused(() => apiKeys.verify(apikey(value)), {
      code: "TR001",
      status: 401,
      message: MISSING,
    });
    assert.equal(err.wwwAuthenticate, undefined);
  }
});

Deno.test("verify() answers TR001 for a user's access token used as apikey", async () => {
  const token = await sign(userClaims());
  const err = await assertRefused(() => apiKeys.verify(apikey(token)), { code: "TR001", message: INVALID }, [
    token,
  ]);
  assert.match(err.details ?? "", /not a project API key/);
});

Deno.test("verify() answers TR001 for an anon key signed with another secret", async () => {
  const forged = await sign({ role: "anon", exp: 1983812996 }, { key: OTHER_SECRET });
  const err = await assertRefused(() => apiKeys.verify(apikey(forged)), { code: "TR001", message: INVALID }, [
    forged,
  ]);
  assert.equal(err.details, "Invalid JWT: signature verification failed");
});

Deno.test("verify() answers TR001 for an expired anon key", async () => {
  const expired = await sign({ role: "anon", exp: START_S - 60 });
  const err = await assertRefused(
    () => apiKeys.verify(apikey(expired)),
    { code: "TR001", message: INVALID },
    [expired],
  );
  assert.equal(err.details, "JWT expired");
});

Deno.test("verify() answers TR001 for unknown or malformed keys", async () => {
  const values = [
    "sb_publishable_unknown123",
    "sb_secret_unknown123",
    `${PUBLISHABLE}x`,
    `${SECRET_KEY} `.repeat(2),
    "sb_secret_",
    "sb_secret_has spaces",
    "anon",
    "a.b",
    `${anonKey}, ${anonKey}`,
    "x".repeat(100_000),
  ];
  for (const value of values) {
    await assertRefused(
      () => apiKeys.verify(apikey(value)),
      { code: "TR001", status: 401, message: INVALID },
      [
        value,
        PUBLISHABLE,
        SECRET_KEY,
        anonKey,
      ],
    );
  }
});

Deno.test("verify() refuses sb_ keys when none are configured", async () => {
  const jwtOnly = ApiKeyVerifier.create({ jwtVerifier });
  await assertRefused(() => jwtOnly.verify(apikey(PUBLISHABLE)), { code: "TR001", message: INVALID }, [
    PUBLISHABLE,
  ]);
  assert.equal((await jwtOnly.verify(apikey(anonKey))).role, "anon");
});

Deno.test("verify() refuses JWT keys when only opaque keys are configured", async () => {
  const opaqueOnly = ApiKeyVerifier.create({ publishableKeys: [PUBLISHABLE] });
  const err = await assertRefused(() => opaqueOnly.verify(apikey(anonKey)), {
    code: "TR001",
    message: INVALID,
  });
  assert.equal(err.details, "JWT API keys are not configured");
});

Deno.test("fromEnv() reads comma-separated SUPABASE_PUBLISHABLE_KEYS and SUPABASE_SECRET_KEYS", async () => {
  const other = "sb_publishable_second_key_0001";
  const fromEnv = ApiKeyVerifier.fromEnv(
    new Map([
      ["SUPABASE_PUBLISHABLE_KEYS", ` ${PUBLISHABLE} , ${other},`],
      ["SUPABASE_SECRET_KEYS", SECRET_KEY],
    ]),
    { jwtVerifier },
  );
  assert.equal((await fromEnv.verify(apikey(other))).role, "anon");
  assert.equal((await fromEnv.verify(apikey(SECRET_KEY))).role, "service_role");
  assert.equal((await fromEnv.verify(apikey(anonKey))).role, "anon");
});

Deno.test("fromEnv() refuses a key in the wrong variable without showing it", async () => {
  const err = await caught(() =>
    ApiKeyVerifier.fromEnv(new Map([["SUPABASE_PUBLISHABLE_KEYS", `${PUBLISHABLE},${SECRET_KEY}`]]), {
      jwtVerifier,
    })
  );
  assertSafeError(err, AuthConfigError, [SECRET_KEY, PUBLISHABLE]);
  assert.equal(err.message, "Entry 2 of SUPABASE_PUBLISHABLE_KEYS is not a key of the form sb_publishable_…");
});

Deno.test("fromEnv() refuses to start with nothing to check keys with", async () => {
  const err = await caught(() => ApiKeyVerifier.fromEnv(new Map()));
  assertSafeError(err, AuthConfigError, []);
  assert.match(err.message, /^No API keys can be checked: .*SUPABASE_JWT_SECRET.*SUPABASE_PUBLISHABLE_KEYS/);
});
