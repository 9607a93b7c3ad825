// Fresh versus cached verification: `deno bench -A functions/_shared/auth/`.
import { JwtVerifier } from "./jwt_verifier.ts";
import { SECRET, sign, signWith, testKey, userClaims } from "./testdata/helpers.ts";

const rsa = await testKey("RS256", "rsa-1");
const ec = await testKey("ES256", "ec-1");
const now = Math.floor(Date.now() / 1000);
const claims = userClaims({ iat: now, exp: now + 3600 });
const tokens = {
  HS256: await sign(claims),
  RS256: await signWith(rsa, claims),
  ES256: await signWith(ec, claims),
};
const keys = { secret: SECRET, jwks: { keys: [rsa.publicJwk, ec.publicJwk] } };
const fresh = await JwtVerifier.create({ ...keys, cache: { maxEntries: 0 } });
const cached = await JwtVerifier.create(keys);

for (const [alg, token] of Object.entries(tokens)) {
  await cached.verifyUserToken(token);
  Deno.bench({
    name: `verifyUserToken() ${alg}, fresh`,
    group: alg,
    baseline: true,
    async fn() {
      await fresh.verifyUserToken(token);
    },
  });
  Deno.bench({
    name: `verifyUserToken() ${alg}, cached`,
    group: alg,
    async fn() {
      await cached.verifyUserToken(token);
    },
  });
}
