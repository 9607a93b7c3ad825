import assert from "node:assert/strict";
import * as auth from "./mod.ts";
import { fakeClock, SECRET, sign, USER_ID, userClaims } from "./testdata/helpers.ts";

Deno.test("mod.ts exports the module's public API", () => {
  for (
    const name of [
      "ApiKeyVerifier",
      "AuthConfigError",
      "AuthError",
      "JwtVerifier",
      "TokenCache",
      "extractBearerToken",
      "requireServiceRole",
      "MAX_TOKEN_LENGTH",
    ]
  ) {
    assert.ok(name in auth, name);
  }
  assert.equal(auth.MAX_TOKEN_LENGTH, 8192);
  assert.equal(auth.DEFAULT_CLOCK_TOLERANCE_SECONDS, 5);
});

Deno.test("a request with the anon key and a user token authenticates as the user, as in the module example", async () => {
  const env = new Map([["SUPABASE_JWT_SECRET", SECRET]]);
  const jwtVerifier = await auth.JwtVerifier.fromEnv(env, { now: fakeClock().now });
  const apiKeys = auth.ApiKeyVerifier.fromEnv(env, { jwtVerifier });
  const anonKey = await sign({ iss: "supabase-demo", role: "anon", exp: 1983812996 });
  const request = new Request("http://localhost/functions/v1/tenant-data/rest/v1/accounts", {
    headers: { apikey: anonKey, authorization: `Bearer ${await sign(userClaims())}`, "x-tenant-id": "acme" },
  });
  assert.equal((await apiKeys.verify(request.headers)).role, "anon");
  const claims = await jwtVerifier.verifyUserToken(auth.extractBearerToken(request.headers));
  assert.equal(claims.sub, USER_ID);
});

Deno.test("supabase-js without a session (anon key as bearer) gets 401 PGRST302 on the data path", async () => {
  const jwtVerifier = await auth.JwtVerifier.create({ secret: SECRET, now: fakeClock().now });
  const anonKey = await sign({ iss: "supabase-demo", role: "anon", exp: 1983812996 });
  const headers = new Headers({ apikey: anonKey, authorization: `Bearer ${anonKey}` });
  const err = await jwtVerifier.verifyUserToken(auth.extractBearerToken(headers)).catch((e: unknown) => e);
  assert.ok(err instanceof auth.AuthError);
  assert.equal(err.code, "PGRST302");
  assert.equal(err.status, 401);
});
