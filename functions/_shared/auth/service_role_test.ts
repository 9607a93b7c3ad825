import assert from "node:assert/strict";
import { JwtVerifier } from "./jwt_verifier.ts";
import { requireServiceRole } from "./service_role.ts";
import { assertRefused, fakeClock, OTHER_SECRET, SECRET, sign, userClaims } from "./testdata/helpers.ts";

const verifier = await JwtVerifier.create({ secret: SECRET, now: fakeClock().now });
const serviceKey = await sign({ iss: "supabase-demo", role: "service_role", exp: 1983812996 });
const anonKey = await sign({ iss: "supabase-demo", role: "anon", exp: 1983812996 });

function bearer(token?: string): Headers {
  return new Headers(token === undefined ? {} : { authorization: `Bearer ${token}` });
}

Deno.test("requireServiceRole() admits the service-role key", async () => {
  const claims = await requireServiceRole(bearer(serviceKey), verifier);
  assert.equal(claims.role, "service_role");
});

Deno.test("requireServiceRole() answers 403 (TR003) for a signed-in user and for the anon key", async () => {
  for (const token of [await sign(userClaims()), anonKey]) {
    await assertRefused(() => requireServiceRole(bearer(token), verifier), { code: "TR003", status: 403 }, [
      token,
    ]);
  }
});

Deno.test("requireServiceRole() answers 401 without or with a malformed Authorization header", async () => {
  await assertRefused(() => requireServiceRole(bearer(), verifier), { code: "PGRST302", status: 401 });
  const headers = new Headers({ authorization: `Basic ${serviceKey}` });
  await assertRefused(() => requireServiceRole(headers, verifier), { code: "PGRST301", status: 401 }, [
    serviceKey,
  ]);
});

Deno.test("requireServiceRole() refuses a forged service_role token", async () => {
  const forged = await sign({ role: "service_role", exp: 1983812996 }, { key: OTHER_SECRET });
  await assertRefused(() => requireServiceRole(bearer(forged), verifier), {
    code: "PGRST301",
    message: "Invalid JWT: signature verification failed",
  }, [forged]);
});

Deno.test("the service-role key is not a user token: verifyUserToken() refuses it", async () => {
  await requireServiceRole(bearer(serviceKey), verifier);
  await assertRefused(() => verifier.verifyUserToken(serviceKey), { code: "PGRST301", status: 401 }, [
    serviceKey,
  ]);
});

Deno.test("requireServiceRole() honours maxTokenLength", async () => {
  await assertRefused(() => requireServiceRole(bearer(serviceKey), verifier, { maxTokenLength: 20 }), {
    code: "PGRST301",
    message: "Invalid Authorization header: the token is longer than 20 characters",
  });
});
