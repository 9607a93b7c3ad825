import assert from "node:assert/strict";
import { AUTH_ERROR_STATUS, AuthConfigError, AuthError, type AuthErrorCode } from "./errors.ts";

Deno.test("AuthError maps every code to its HTTP status", () => {
  const expected: Record<AuthErrorCode, number> = {
    PGRST301: 401,
    PGRST302: 401,
    TR001: 401,
    TR002: 503,
    TR003: 403,
  };
  assert.deepEqual({ ...AUTH_ERROR_STATUS }, expected);
  for (const [code, status] of Object.entries(expected)) {
    assert.equal(new AuthError(code as AuthErrorCode, "x").status, status);
  }
  assert.ok(Object.isFrozen(AUTH_ERROR_STATUS));
});

Deno.test("AuthError is a named Error with PostgREST's body as its JSON", () => {
  const err = new AuthError("PGRST301", "JWT expired", { hint: "Sign in again" });
  assert.ok(err instanceof Error);
  assert.equal(err.name, "AuthError");
  assert.equal(String(err), "AuthError: JWT expired");
  assert.match(err.stack ?? "", /^AuthError: JWT expired/);
  assert.deepEqual(JSON.parse(JSON.stringify(err)), {
    code: "PGRST301",
    message: "JWT expired",
    details: null,
    hint: "Sign in again",
  });
});

Deno.test("AuthError gives the WWW-Authenticate value for bearer failures only", () => {
  assert.equal(new AuthError("PGRST302", "x").wwwAuthenticate, "Bearer");
  assert.equal(new AuthError("PGRST301", "x").wwwAuthenticate, 'Bearer error="invalid_token"');
  assert.equal(new AuthError("TR003", "x").wwwAuthenticate, 'Bearer error="insufficient_scope"');
  assert.equal(new AuthError("TR001", "x").wwwAuthenticate, undefined);
  assert.equal(new AuthError("TR002", "x").wwwAuthenticate, undefined);
});

Deno.test("AuthConfigError is a named Error", () => {
  const err = new AuthConfigError("No JWT verification key configured: set SUPABASE_JWT_SECRET");
  assert.ok(err instanceof Error);
  assert.equal(String(err), "AuthConfigError: No JWT verification key configured: set SUPABASE_JWT_SECRET");
});
