import assert from "node:assert/strict";
import { AuthConfigError } from "./errors.ts";
import { JwtVerifier, type JwtVerifierOptions, LOCAL_JWT_SECRET } from "./jwt_verifier.ts";
import {
  assertRefused,
  assertSafeError,
  b64url,
  caught,
  craft,
  fakeClock,
  hmac,
  OTHER_SECRET,
  SECRET,
  sign,
  signWith,
  START,
  START_S,
  testKey,
  USER_ID,
  userClaims,
} from "./testdata/helpers.ts";

const rsa = await testKey("RS256", "rsa-1");
const ec = await testKey("ES256", "ec-1");
const stranger = await testKey("RS256", "rsa-1"); // same kid, key not in the JWKS
const JWKS = { keys: [rsa.publicJwk, ec.publicJwk] };

async function verifier(options: JwtVerifierOptions = {}): Promise<JwtVerifier> {
  return await JwtVerifier.create({ secret: SECRET, jwks: JWKS, now: fakeClock().now, ...options });
}

function env(vars: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(vars));
}

const INVALID_SIGNATURE = "Invalid JWT: signature verification failed";
const ALG_REFUSED = /^Invalid JWT: algorithm not accepted: use HS256, RS256, ES256$/;

// ---------------------------------------------------------------------------------------------------
// Configuration

Deno.test("create() refuses to start without a secret or a JWKS and says what to set", async () => {
  const err = await caught(() => JwtVerifier.create({}));
  assertSafeError(err, AuthConfigError, []);
  assert.match(err.message, /^No JWT verification key configured: set SUPABASE_JWT_SECRET .*SUPABASE_JWKS/);
});

Deno.test("fromEnv() refuses to start with an empty environment (no default secret)", async () => {
  const err = await caught(() => JwtVerifier.fromEnv(env({ SUPABASE_JWT_SECRET: "  " })));
  assert.ok(err instanceof AuthConfigError);
  assert.match(err.message, /SUPABASE_JWT_SECRET/);
});

Deno.test("fromEnv() reads SUPABASE_JWT_SECRET from Deno.env", async () => {
  // The test stack sets this variable for other tests: put it back afterwards.
  const saved = Deno.env.get("SUPABASE_JWT_SECRET");
  Deno.env.set("SUPABASE_JWT_SECRET", SECRET);
  try {
    const fromEnv = await JwtVerifier.fromEnv(Deno.env, { now: fakeClock().now });
    assert.deepEqual(fromEnv.algorithms, ["HS256"]);
    assert.equal((await fromEnv.verifyUserToken(await sign(userClaims()))).sub, USER_ID);
  } finally {
    saved === undefined ? Deno.env.delete("SUPABASE_JWT_SECRET") : Deno.env.set("SUPABASE_JWT_SECRET", saved);
  }
});

Deno.test("fromEnv() reads an inline JWKS from SUPABASE_JWKS", async () => {
  const fromEnv = await JwtVerifier.fromEnv(env({ SUPABASE_JWKS: JSON.stringify(JWKS) }), {
    now: fakeClock().now,
  });
  assert.deepEqual(fromEnv.algorithms, ["RS256", "ES256"]);
  assert.equal((await fromEnv.verifyUserToken(await signWith(ec, userClaims()))).sub, USER_ID);
});

Deno.test("fromEnv() refuses a secret shorter than 32 characters without showing it", async () => {
  const short = "short-secret-1234567890";
  const err = await caught(() => JwtVerifier.fromEnv(env({ SUPABASE_JWT_SECRET: short })));
  assertSafeError(err, AuthConfigError, [short]);
  assert.match(err.message, /^SUPABASE_JWT_SECRET is too short: .*at least 32 characters/);
});

Deno.test("fromEnv() refuses SUPABASE_JWKS that is not JSON", async () => {
  const err = await caught(() => JwtVerifier.fromEnv(env({ SUPABASE_JWKS: "{keys:" })));
  assert.ok(err instanceof AuthConfigError);
  assert.match(err.message, /^SUPABASE_JWKS is not valid JSON/);
});

const badJwks: [string, unknown, RegExp][] = [
  ["not a key set", { key: [] }, /is not a JSON Web Key Set/],
  ["an empty key set", { keys: [] }, /has no keys/],
  ["a symmetric key", { keys: [{ kty: "oct", k: b64url(SECRET), kid: "hs" }] }, /key 1 of .* symmetric key/],
  ["a key of an unknown type", { keys: [{ kty: "OKP", crv: "Ed25519", x: "abc" }] }, /unsupported key type/],
  ["a P-384 key", { keys: [{ ...ec.publicJwk, crv: "P-384", alg: undefined }] }, /only P-256 \(ES256\)/],
  ["an RSA key for PS256", { keys: [{ ...rsa.publicJwk, alg: "PS256" }] }, /only RS256/],
  ["an encryption key", { keys: [{ ...rsa.publicJwk, use: "enc" }] }, /not a signing key/],
  [
    "repeated kids",
    { keys: [rsa.publicJwk, { ...ec.publicJwk, kid: "rsa-1" }] },
    /key 2 of .* repeats the "kid"/,
  ],
  ["a broken key", { keys: [{ ...ec.publicJwk, x: "AAAA" }] }, /cannot be imported as an ES256 public key/],
];
for (const [name, jwks, pattern] of badJwks) {
  Deno.test(`create() refuses a JWKS with ${name}`, async () => {
    const err = await caught(() => JwtVerifier.create({ jwks: jwks as never }));
    assertSafeError(err, AuthConfigError, [b64url(SECRET)]);
    assert.match(err.message, pattern);
  });
}

Deno.test("create() refuses a JWKS holding a private key without showing the key", async () => {
  const { exportJWK } = await import("jose");
  const privateJwk = await exportJWK(rsa.privateKey);
  const err = await caught(() => JwtVerifier.create({ jwks: { keys: [{ ...privateJwk, kid: "p" }] } }));
  assertSafeError(err, AuthConfigError, [String(privateJwk.d), String(privateJwk.p)]);
  assert.match(err.message, /^key 1 of the JWKS holds private or symmetric key material \("d"\)/);
});

Deno.test("create() refuses an RSA key shorter than 2048 bits", async () => {
  const { publicKey } = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const weak = { ...(await crypto.subtle.exportKey("jwk", publicKey)), kid: "weak", alg: "RS256" };
  delete weak.key_ops;
  delete weak.ext;
  const err = await caught(() => JwtVerifier.create({ jwks: { keys: [weak as never] } }));
  assert.ok(err instanceof AuthConfigError);
  assert.match(err.message, /shorter than 2048 bits/);
});

Deno.test("create() refuses a plain-http JWKS URL except for localhost", async () => {
  const err = await caught(() => JwtVerifier.create({ jwksUrl: "http://example.test/jwks.json" }));
  assert.ok(err instanceof AuthConfigError);
  assert.match(err.message, /must use https/);
  await JwtVerifier.create({ jwksUrl: "http://127.0.0.1:9/jwks.json" });
  await JwtVerifier.create({ jwksUrl: "https://project.supabase.co/auth/v1/.well-known/jwks.json" });
  const withCredentials = await caught(() => JwtVerifier.create({ jwksUrl: "https://u:pw@example.test/j" }));
  assertSafeError(withCredentials, AuthConfigError, ["u:pw"]);
});

Deno.test("create() refuses anon or service_role as user roles", async () => {
  for (const role of ["anon", "service_role"]) {
    const err = await caught(() => verifier({ userRoles: ["authenticated", role] }));
    assert.ok(err instanceof AuthConfigError);
    assert.match(err.message, /never user roles/);
  }
});

Deno.test("create() refuses out-of-range options", async () => {
  for (
    const options of [{ clockToleranceSeconds: -1 }, { clockToleranceSeconds: 301 }, { maxTokenLength: 0 }, {
      audience: [] as string[],
    }]
  ) {
    assert.ok(await caught(() => verifier(options)) instanceof AuthConfigError, JSON.stringify(options));
  }
});

Deno.test("LOCAL_JWT_SECRET is Supabase's local default", () => {
  assert.equal(LOCAL_JWT_SECRET, "super-secret-jwt-token-with-at-least-32-characters-long");
});

// ---------------------------------------------------------------------------------------------------
// User tokens, HS256

Deno.test("verifyUserToken() accepts a user token and returns its typed claims", async () => {
  const token = await sign(userClaims({ tenant_id: "acme", tenant_role: "owner", session_id: "s1" }));
  const claims = await (await verifier()).verifyUserToken(token);
  assert.equal(claims.sub, USER_ID);
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.aud, "authenticated");
  assert.equal(claims.email, "alice@acme.test");
  assert.equal(claims.exp, START_S + 3600);
  assert.equal(claims.tenant_id, "acme");
  assert.equal(claims.tenant_role, "owner");
  assert.deepEqual(claims.app_metadata, { provider: "email", providers: ["email"] });
});

Deno.test("verifyUserToken() returns deeply frozen claims", async () => {
  const claims = await (await verifier()).verifyUserToken(await sign(userClaims()));
  assert.ok(Object.isFrozen(claims));
  assert.ok(Object.isFrozen(claims.app_metadata));
  assert.throws(() => {
    (claims as { role: string }).role = "service_role";
  }, TypeError);
});

Deno.test("verifyUserToken() accepts an anonymous sign-in (role authenticated, is_anonymous)", async () => {
  const claims = await (await verifier()).verifyUserToken(await sign(userClaims({ is_anonymous: true })));
  assert.equal(claims.is_anonymous, true);
});

Deno.test("verifyUserToken() refuses an expired token", async () => {
  const token = await sign(userClaims({ exp: START_S - 60 }));
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    status: 401,
    message: "JWT expired",
  }, [token]);
});

Deno.test("verifyUserToken() allows 5 seconds of clock skew on exp, not 6", async () => {
  const v = await verifier();
  await v.verifyUserToken(await sign(userClaims({ exp: START_S - 4 })));
  const token = await sign(userClaims({ exp: START_S - 6 }));
  await assertRefused(() => v.verifyUserToken(token), { code: "PGRST301", message: "JWT expired" }, [token]);
});

Deno.test("verifyUserToken() refuses a token whose nbf is in the future, beyond the tolerance", async () => {
  const v = await verifier();
  const token = await sign(userClaims({ nbf: START_S + 60 }));
  await assertRefused(() => v.verifyUserToken(token), {
    code: "PGRST301",
    message: "Invalid JWT: not valid yet (nbf is in the future)",
  }, [token]);
  await v.verifyUserToken(await sign(userClaims({ nbf: START_S + 4 })));
});

Deno.test("verifyUserToken() requires exp", async () => {
  const token = await sign(userClaims({ exp: undefined }));
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "Invalid JWT: missing exp claim",
  }, [token]);
});

Deno.test("verifyUserToken() refuses a non-numeric exp", async () => {
  const token = await sign(userClaims({ exp: String(START_S + 3600) }));
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "Invalid JWT: the exp claim must be a number",
  }, [token]);
});

Deno.test("verifyUserToken() refuses another audience and a missing aud", async () => {
  const v = await verifier();
  for (const aud of ["anon", "other-app", ["a", "b"], undefined]) {
    const token = await sign(userClaims({ aud }));
    await assertRefused(() => v.verifyUserToken(token), {
      code: "PGRST301",
      message: 'Invalid JWT: wrong audience: expected "authenticated"',
    }, [token]);
  }
});

Deno.test("verifyUserToken() accepts an aud list that names the audience, and a configured audience", async () => {
  await (await verifier()).verifyUserToken(await sign(userClaims({ aud: ["other", "authenticated"] })));
  const custom = await verifier({ audience: ["app-a", "app-b"] });
  await custom.verifyUserToken(await sign(userClaims({ aud: "app-b" })));
  await assertRefused(() => sign(userClaims()).then((t) => custom.verifyUserToken(t)), {
    code: "PGRST301",
    message: 'Invalid JWT: wrong audience: expected "app-a" or "app-b"',
  });
});

Deno.test("verifyUserToken() checks the issuer when one is configured", async () => {
  const v = await verifier({ issuer: "https://project.supabase.co/auth/v1" });
  await v.verifyUserToken(await sign(userClaims({ iss: "https://project.supabase.co/auth/v1" })));
  const token = await sign(userClaims({ iss: "https://evil.example/auth/v1" }));
  await assertRefused(() => v.verifyUserToken(token), {
    code: "PGRST301",
    message: "Invalid JWT: wrong issuer",
  });
});

Deno.test("verifyUserToken() refuses a token signed with another secret", async () => {
  const token = await sign(userClaims(), { key: OTHER_SECRET });
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    status: 401,
    message: INVALID_SIGNATURE,
  }, [token]);
});

Deno.test("verifyUserToken() refuses alg none, whatever its spelling and signature", async () => {
  const v = await verifier();
  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    for (const signature of ["", b64url("x")]) {
      const token = craft({ alg, typ: "JWT" }, userClaims(), signature);
      await assertRefused(() => v.verifyUserToken(token), { code: "PGRST301", message: ALG_REFUSED }, [
        token,
      ]);
    }
  }
});

Deno.test("verifyUserToken() refuses HS256 tokens with an empty signature", async () => {
  const [header, payload] = (await sign(userClaims())).split(".");
  const token = `${header}.${payload}.`;
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: INVALID_SIGNATURE,
  });
});

Deno.test("verifyUserToken() refuses other algorithms, even with the right secret", async () => {
  const v = await verifier();
  for (const alg of ["HS384", "HS512"]) {
    const token = await sign(userClaims(), { alg });
    await assertRefused(() => v.verifyUserToken(token), { code: "PGRST301", message: ALG_REFUSED }, [token]);
  }
  const ps = await testKey("PS256", "ps-1");
  const token = await signWith(ps, userClaims());
  await assertRefused(() => v.verifyUserToken(token), { code: "PGRST301", message: ALG_REFUSED }, [token]);
});

Deno.test("verifyUserToken() refuses a header with an unknown crit extension", async () => {
  const header = b64url({ alg: "HS256", typ: "JWT", crit: ["x-custom"], "x-custom": true });
  const payload = b64url(userClaims());
  const token = `${header}.${payload}.${await hmac(
    `${header}.${payload}`,
    new TextEncoder().encode(SECRET),
  )}`;
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "Invalid JWT: malformed token",
  }, [token]);
});

Deno.test("verifyUserToken() refuses a tampered payload", async () => {
  const token = await sign(userClaims());
  const [header, , signature] = token.split(".");
  const v = await verifier();
  for (
    const change of [{ role: "service_role" }, { sub: "00000000-0000-0000-0000-000000000001" }, {
      exp: START_S + 86400 * 365,
    }, { tenant_role: "owner" }]
  ) {
    const tampered = `${header}.${b64url(userClaims(change))}.${signature}`;
    await assertRefused(() => v.verifyUserToken(tampered), { code: "PGRST301", message: INVALID_SIGNATURE }, [
      tampered,
    ]);
  }
});

Deno.test("verifyUserToken() refuses truncated tokens", async () => {
  const token = await sign(userClaims());
  const v = await verifier();
  const cuts = [
    token.slice(0, -1),
    token.slice(0, -10),
    token.slice(0, token.lastIndexOf(".")),
    token.slice(0, 20),
  ];
  for (const cut of cuts) {
    await assertRefused(() => v.verifyUserToken(cut), { code: "PGRST301", message: /^Invalid JWT: / }, [cut]);
  }
});

const garbage: [string, string][] = [
  ["an empty string", ""],
  ["one word", "garbage"],
  ["two parts", "abc.def"],
  ["four parts", "a.b.c.d"],
  ["only dots", ".."],
  ["spaces", "eyJ hbG.ci.Oi"],
  ["non-ASCII", "éé.éé.éé"],
  ["base64 padding", "eyJhbGciOiJIUzI1NiJ9=.e30=.abc="],
  ["a header that is not JSON", `${b64url(new TextEncoder().encode("{nope"))}.${b64url({})}.sig`],
  [
    "a payload that is not JSON",
    `${b64url({ alg: "HS256" })}.${b64url(new TextEncoder().encode("nope"))}.sig`,
  ],
  ["a header that is an array", `${b64url(["HS256"])}.${b64url({})}.sig`],
];
for (const [name, token] of garbage) {
  Deno.test(`verifyUserToken() refuses ${name}`, async () => {
    await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
      code: "PGRST301",
      status: 401,
      message: /^Invalid JWT: /,
    });
  });
}

Deno.test("verifyUserToken() refuses a signed payload that is not an object", async () => {
  const header = b64url({ alg: "HS256", typ: "JWT" });
  const payload = b64url([1, 2]);
  const token = `${header}.${payload}.${await hmac(
    `${header}.${payload}`,
    new TextEncoder().encode(SECRET),
  )}`;
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "Invalid JWT: malformed token",
  }, [token]);
});

Deno.test("verifyUserToken() refuses a 100 KB token by its size, before decoding it", async () => {
  const token = await sign(userClaims({ padding: "x".repeat(100_000) }));
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "Invalid JWT: the token is longer than 8192 characters",
  }, [token]);
  const small = await verifier({ maxTokenLength: 100 });
  await assertRefused(() => sign(userClaims()).then((t) => small.verifyUserToken(t)), {
    code: "PGRST301",
    message: "Invalid JWT: the token is longer than 100 characters",
  });
});

Deno.test("verifyUserToken() requires sub to be a uuid", async () => {
  const v = await verifier();
  for (const sub of [undefined, "", "alice", "5f0c3a9e2b1d4e8f9a6c7d2e1f0b3c4a", `${USER_ID}x`]) {
    const token = await sign(userClaims({ sub }));
    await assertRefused(() => v.verifyUserToken(token), {
      code: "PGRST301",
      message: "Invalid JWT: sub must be a user id (uuid)",
    }, [token]);
  }
  const token = await sign(userClaims({ sub: 42 }));
  await assertRefused(() => v.verifyUserToken(token), {
    code: "PGRST301",
    message: "Invalid JWT: the sub claim must be a string",
  });
});

Deno.test("verifyUserToken() requires a role claim", async () => {
  const v = await verifier();
  const token = await sign(userClaims({ role: undefined }));
  await assertRefused(() => v.verifyUserToken(token), {
    code: "PGRST301",
    message: "Invalid JWT: missing role claim",
  });
  const numeric = await sign(userClaims({ role: 1 }));
  await assertRefused(() => v.verifyUserToken(numeric), {
    code: "PGRST301",
    message: "Invalid JWT: the role claim must be a non-empty string",
  });
});

Deno.test("verifyUserToken() refuses a service_role token: a user request never chooses service_role", async () => {
  const v = await verifier();
  const serviceKey = await sign({ iss: "supabase-demo", role: "service_role", exp: 1983812996 });
  await assertRefused(() => v.verifyUserToken(serviceKey), {
    code: "PGRST301",
    status: 401,
    message: "Invalid JWT: the service_role key is not accepted for user requests",
  }, [serviceKey]);
  // Even dressed up as a user token.
  const dressed = await sign(userClaims({ role: "service_role" }));
  await assertRefused(() => v.verifyUserToken(dressed), { code: "PGRST301", message: /service_role/ }, [
    dressed,
  ]);
});

Deno.test("verifyUserToken() answers an anon token with PGRST302: the gateway requires a signed-in user", async () => {
  const anonKey = await sign({ iss: "supabase-demo", role: "anon", exp: 1983812996 });
  const err = await assertRefused(() => verifier().then((v) => v.verifyUserToken(anonKey)), {
    code: "PGRST302",
    status: 401,
    message: "Anonymous access is disabled: sign in and send the user's access token",
  }, [anonKey]);
  assert.equal(err.wwwAuthenticate, "Bearer");
});

Deno.test("verifyUserToken() refuses roles other than the configured user roles", async () => {
  const v = await verifier();
  for (const role of ["postgres", "supabase_admin", "authenticator", "Authenticated"]) {
    const token = await sign(userClaims({ role }));
    await assertRefused(() => v.verifyUserToken(token), {
      code: "PGRST301",
      message: 'Invalid JWT: role is not accepted for user requests: expected "authenticated"',
    });
  }
  const custom = await verifier({ userRoles: ["authenticated", "support"] });
  await custom.verifyUserToken(await sign(userClaims({ role: "support" })));
});

Deno.test("verifyUserToken() checks the types of the claims it returns", async () => {
  const v = await verifier();
  const cases: [Record<string, unknown>, string][] = [
    [{ email: 42 }, "Invalid JWT: the email claim must be a string"],
    [{ tenant_id: ["acme"] }, "Invalid JWT: the tenant_id claim must be a string"],
    [{ tenant_role: null }, "Invalid JWT: the tenant_role claim must be a string"],
    [{ app_metadata: "admin" }, "Invalid JWT: the app_metadata claim must be an object"],
    [{ user_metadata: [1] }, "Invalid JWT: the user_metadata claim must be an object"],
    [{ aud: 7 }, "Invalid JWT: the aud claim must be a string or an array of strings"],
    [{ is_anonymous: "no" }, "Invalid JWT: the is_anonymous claim must be a boolean"],
  ];
  for (const [change, message] of cases) {
    await assertRefused(() => sign(userClaims(change)).then((t) => v.verifyUserToken(t)), {
      code: "PGRST301",
      message,
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// Asymmetric keys (JWKS)

Deno.test("verifyUserToken() accepts RS256 and ES256 tokens signed with JWKS keys", async () => {
  const v = await verifier();
  assert.equal((await v.verifyUserToken(await signWith(rsa, userClaims()))).sub, USER_ID);
  assert.equal((await v.verifyUserToken(await signWith(ec, userClaims()))).sub, USER_ID);
});

Deno.test("verifyUserToken() accepts a token without kid when exactly one JWKS key fits", async () => {
  const v = await verifier();
  const token = await sign(userClaims(), { key: ec.privateKey, alg: "ES256" });
  assert.equal((await v.verifyUserToken(token)).sub, USER_ID);
});

Deno.test("verifyUserToken() refuses a token without kid when several JWKS keys fit", async () => {
  const rsa2 = await testKey("RS256", "rsa-2");
  const v = await verifier({ jwks: { keys: [rsa.publicJwk, rsa2.publicJwk] } });
  const token = await sign(userClaims(), { key: rsa.privateKey, alg: "RS256" });
  await assertRefused(() => v.verifyUserToken(token), {
    code: "PGRST301",
    message: "Invalid JWT: several signing keys match: the token header needs a kid",
  });
});

Deno.test("verifyUserToken() refuses an RS256 token with an unknown kid", async () => {
  const token = await signWith(rsa, userClaims(), { kid: "rsa-unknown" });
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "Invalid JWT: no signing key matches the token's kid",
  }, [token]);
});

Deno.test("verifyUserToken() refuses an RS256 token signed by a stranger with a known kid", async () => {
  const token = await signWith(stranger, userClaims());
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: INVALID_SIGNATURE,
  }, [token]);
});

Deno.test("verifyUserToken() refuses a token whose alg does not fit the kid's key type", async () => {
  // RS256 claimed, kid of the EC key: no RSA key has that kid.
  const token = await signWith(rsa, userClaims(), { kid: "ec-1" });
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "Invalid JWT: no signing key matches the token's kid",
  });
});

Deno.test("verifyUserToken() refuses algorithm confusion: HS256 with a public key as the HMAC secret", async () => {
  const { exportSPKI, importJWK } = await import("jose");
  const publicKey = await importJWK(rsa.publicJwk, "RS256", { extractable: true }) as CryptoKey;
  const pem = await exportSPKI(publicKey);
  const secrets = [
    new TextEncoder().encode(pem),
    new TextEncoder().encode(JSON.stringify(rsa.publicJwk)),
    new Uint8Array(await crypto.subtle.exportKey("spki", publicKey)),
  ];
  const withSecret = await verifier();
  const jwksOnly = await JwtVerifier.create({ jwks: JWKS, now: fakeClock().now });
  for (const key of secrets) {
    const header = b64url({ alg: "HS256", typ: "JWT", kid: rsa.kid });
    const payload = b64url(userClaims());
    const forged = `${header}.${payload}.${await hmac(`${header}.${payload}`, key)}`;
    await assertRefused(() => withSecret.verifyUserToken(forged), {
      code: "PGRST301",
      message: INVALID_SIGNATURE,
    }, [
      forged,
    ]);
    await assertRefused(() => jwksOnly.verifyUserToken(forged), {
      code: "PGRST301",
      message: "Invalid JWT: algorithm not accepted: use RS256, ES256",
    }, [forged]);
  }
});

Deno.test("a secret-only verifier refuses RS256 tokens, a JWKS-only verifier refuses HS256 tokens", async () => {
  const secretOnly = await JwtVerifier.create({ secret: SECRET, now: fakeClock().now });
  await assertRefused(() => signWith(rsa, userClaims()).then((t) => secretOnly.verifyUserToken(t)), {
    code: "PGRST301",
    message: "Invalid JWT: algorithm not accepted: use HS256",
  });
  const jwksOnly = await JwtVerifier.create({ jwks: JWKS, now: fakeClock().now });
  await assertRefused(() => sign(userClaims()).then((t) => jwksOnly.verifyUserToken(t)), {
    code: "PGRST301",
    message: "Invalid JWT: algorithm not accepted: use RS256, ES256",
  });
});

Deno.test("verifyUserToken() refuses an expired RS256 token", async () => {
  const token = await signWith(rsa, userClaims({ exp: START_S - 3600 }));
  await assertRefused(() => verifier().then((v) => v.verifyUserToken(token)), {
    code: "PGRST301",
    message: "JWT expired",
  }, [token]);
});

/** Serves `jwks` on a local port; `hits` counts requests; `fail` makes it answer 500. */
function serveJwks(jwks: unknown) {
  const state = { hits: 0, fail: false };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    state.hits++;
    return state.fail ? new Response("down", { status: 500 }) : Response.json(jwks);
  });
  const url = `http://127.0.0.1:${server.addr.port}/auth/v1/.well-known/jwks.json`;
  return { state, url, server };
}

Deno.test("verifyUserToken() fetches keys from a remote JWKS once and caches verified tokens", async () => {
  const remote = serveJwks({ keys: [ec.publicJwk] });
  try {
    const v = await JwtVerifier.create({ jwksUrl: remote.url, now: fakeClock().now });
    const token = await signWith(ec, userClaims());
    assert.equal((await v.verifyUserToken(token)).sub, USER_ID);
    assert.equal((await v.verifyUserToken(token)).sub, USER_ID);
    await v.verifyUserToken(await signWith(ec, userClaims({ email: "bob@acme.test" })));
    assert.equal(remote.state.hits, 1);
  } finally {
    await remote.server.shutdown();
  }
});

Deno.test("verifyUserToken() looks in the remote JWKS for a kid that the inline JWKS lacks", async () => {
  const rotated = await testKey("ES256", "ec-2");
  const remote = serveJwks({ keys: [rotated.publicJwk] });
  try {
    const v = await verifier({ jwksUrl: remote.url });
    assert.equal((await v.verifyUserToken(await signWith(rotated, userClaims()))).sub, USER_ID);
    assert.equal((await v.verifyUserToken(await signWith(ec, userClaims()))).sub, USER_ID);
    assert.equal(remote.state.hits, 1);
  } finally {
    await remote.server.shutdown();
  }
});

Deno.test("verifyUserToken() answers 503 (TR002) when the remote JWKS cannot be fetched", async () => {
  const remote = serveJwks({ keys: [ec.publicJwk] });
  remote.state.fail = true;
  try {
    const v = await JwtVerifier.create({ jwksUrl: remote.url, now: fakeClock().now });
    const token = await signWith(ec, userClaims());
    const err = await assertRefused(() => v.verifyUserToken(token), {
      code: "TR002",
      status: 503,
      message: "Cannot verify JWT: the signing keys (JWKS) cannot be fetched",
    }, [token]);
    assert.equal(err.wwwAuthenticate, undefined);
  } finally {
    await remote.server.shutdown();
  }
});

// ---------------------------------------------------------------------------------------------------
// Service tokens and project keys

const serviceKey = await sign({ iss: "supabase-demo", role: "service_role", exp: 1983812996 });
const anonKey = await sign({ iss: "supabase-demo", role: "anon", exp: 1983812996 });

Deno.test("verifyServiceToken() accepts the service-role key (no aud, no sub)", async () => {
  const claims = await (await verifier()).verifyServiceToken(serviceKey);
  assert.equal(claims.role, "service_role");
});

Deno.test("verifyServiceToken() accepts an ES256 service-role token from the JWKS", async () => {
  const token = await signWith(ec, { role: "service_role", exp: START_S + 60 });
  assert.equal((await (await verifier()).verifyServiceToken(token)).role, "service_role");
});

Deno.test("verifyServiceToken() answers 403 (TR003) for a valid token of another role", async () => {
  const v = await verifier();
  for (const token of [anonKey, await sign(userClaims())]) {
    const err = await assertRefused(() => v.verifyServiceToken(token), {
      code: "TR003",
      status: 403,
      message: "Permission denied: this endpoint requires the service_role key",
    }, [token]);
    assert.equal(err.wwwAuthenticate, 'Bearer error="insufficient_scope"');
  }
});

Deno.test("verifyServiceToken() refuses a service_role token signed with another secret", async () => {
  const forged = await sign({ role: "service_role", exp: 1983812996 }, { key: OTHER_SECRET });
  await assertRefused(() => verifier().then((v) => v.verifyServiceToken(forged)), {
    code: "PGRST301",
    message: INVALID_SIGNATURE,
  }, [forged]);
});

Deno.test("verifyServiceToken() refuses an expired service_role token", async () => {
  const expired = await sign({ role: "service_role", exp: START_S - 100 });
  await assertRefused(() => verifier().then((v) => v.verifyServiceToken(expired)), {
    code: "PGRST301",
    message: "JWT expired",
  });
});

Deno.test("verifyProjectKey() accepts the anon and service-role keys and refuses user tokens", async () => {
  const v = await verifier();
  assert.equal((await v.verifyProjectKey(anonKey)).role, "anon");
  assert.equal((await v.verifyProjectKey(serviceKey)).role, "service_role");
  await assertRefused(() => sign(userClaims()).then((t) => v.verifyProjectKey(t)), {
    code: "PGRST301",
    message: 'Invalid JWT: not a project API key: role must be "anon" or "service_role"',
  });
});

// ---------------------------------------------------------------------------------------------------
// The cache

Deno.test("a verified token is cached under its digest, once", async () => {
  const v = await verifier();
  const token = await sign(userClaims());
  const first = await v.verifyUserToken(token);
  const second = await v.verifyUserToken(token);
  assert.equal(v.cacheSize, 1);
  assert.equal(second, first, "the cached claims are returned");
  await v.verifyUserToken(await signWith(rsa, userClaims()));
  assert.equal(v.cacheSize, 2);
  v.clearCache();
  assert.equal(v.cacheSize, 0);
});

Deno.test("a forged token never finds a cached entry: same payload or same signature as a cached token", async () => {
  const v = await verifier();
  const genuine = await sign(userClaims());
  await v.verifyUserToken(genuine);
  assert.equal(v.cacheSize, 1);
  const [header, payload, signature] = genuine.split(".");
  const otherSignature = (await sign(userClaims(), { key: OTHER_SECRET })).split(".")[2];
  const elevated = btoa(JSON.stringify({ ...userClaims(), sub: crypto.randomUUID() }))
    .replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  for (
    const forged of [
      `${header}.${payload}.${otherSignature}`, // the cached payload, re-signed with another key
      `${header}.${elevated}.${signature}`, // another payload under the cached signature
      `${header}.${payload}.${signature!.slice(0, -2)}`, // the cached signature, truncated
    ]
  ) {
    await assertRefused(() => v.verifyUserToken(forged), {
      code: "PGRST301",
      message: /^Invalid JWT: (signature verification failed|malformed token)$/,
    }, [forged]);
  }
  assert.equal(v.cacheSize, 1, "nothing forged was cached");
  assert.equal((await v.verifyUserToken(genuine)).sub, userClaims().sub);
});

Deno.test("refused tokens are not cached", async () => {
  const v = await verifier();
  await caught(() => sign(userClaims(), { key: OTHER_SECRET }).then((t) => v.verifyUserToken(t)));
  await caught(() => sign(userClaims({ exp: START_S - 60 })).then((t) => v.verifyUserToken(t)));
  assert.equal(v.cacheSize, 0);
});

Deno.test("a cached token past its exp is refused", async () => {
  const clock = fakeClock();
  const v = await verifier({ now: clock.now });
  const token = await sign(userClaims({ exp: START_S + 60 }));
  await v.verifyUserToken(token);
  clock.advance(30);
  await v.verifyUserToken(token);
  clock.advance(40); // 10 s past exp, beyond the 5 s tolerance
  await assertRefused(() => v.verifyUserToken(token), { code: "PGRST301", message: "JWT expired" }, [token]);
  assert.equal(v.cacheSize, 0);
});

Deno.test("a cached entry ends at exp: inside the tolerance the token is verified afresh", async () => {
  const clock = fakeClock();
  const v = await verifier({ now: clock.now });
  const token = await sign(userClaims({ exp: START_S + 60 }));
  await v.verifyUserToken(token);
  clock.advance(62);
  await v.verifyUserToken(token); // 2 s past exp: fresh verification, within tolerance, not cached again
  assert.equal(v.cacheSize, 0);
});

Deno.test("role, sub and audience checks apply to cached tokens too", async () => {
  const v = await verifier();
  await v.verifyServiceToken(serviceKey);
  await v.verifyProjectKey(anonKey);
  assert.equal(v.cacheSize, 2);
  await assertRefused(() => v.verifyUserToken(serviceKey), { code: "PGRST301", message: /service_role/ });
  await assertRefused(() => v.verifyUserToken(anonKey), { code: "PGRST302" });
  const user = await sign(userClaims());
  await v.verifyUserToken(user);
  await assertRefused(() => v.verifyServiceToken(user), { code: "TR003" });
});

Deno.test("a tampered copy of a cached token is not a cache hit", async () => {
  const v = await verifier();
  const token = await sign(userClaims());
  await v.verifyUserToken(token);
  const [header, , signature] = token.split(".");
  const tampered = `${header}.${b64url(userClaims({ role: "service_role" }))}.${signature}`;
  await assertRefused(() => v.verifyServiceToken(tampered), { code: "PGRST301", message: INVALID_SIGNATURE });
});

Deno.test("the cache is bounded and can be disabled", async () => {
  const bounded = await verifier({ cache: { maxEntries: 2 } });
  for (let i = 0; i < 5; i++) await bounded.verifyUserToken(await sign(userClaims({ n: i })));
  assert.equal(bounded.cacheSize, 2);
  const disabled = await verifier({ cache: { maxEntries: 0 } });
  await disabled.verifyUserToken(await sign(userClaims()));
  assert.equal(disabled.cacheSize, 0);
});

Deno.test("the verifier uses the real clock by default", async () => {
  const v = await JwtVerifier.create({ secret: SECRET });
  const now = Math.floor(Date.now() / 1000);
  await v.verifyUserToken(await sign(userClaims({ iat: now, exp: now + 60 })));
  assert.ok(START < Date.now());
});
