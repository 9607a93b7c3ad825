import assert from "node:assert/strict";
import { extractBearerToken } from "./bearer.ts";
import { assertRefused } from "./testdata/helpers.ts";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

function headers(authorization?: string | string[]): Headers {
  const result = new Headers();
  for (const value of [authorization ?? []].flat()) result.append("authorization", value);
  return result;
}

const accepted: [string, string, string][] = [
  ["the canonical form", `Bearer ${TOKEN}`, TOKEN],
  ["a lower-case scheme", `bearer ${TOKEN}`, TOKEN],
  ["an upper-case scheme", `BEARER ${TOKEN}`, TOKEN],
  ["several spaces after the scheme", `Bearer    ${TOKEN}`, TOKEN],
  ["surrounding whitespace", `  Bearer ${TOKEN}  `, TOKEN],
  ["b64token punctuation and padding", "Bearer a-b.c_d~e+f/g==", "a-b.c_d~e+f/g=="],
  ["an opaque key", "Bearer sb_secret_abc123", "sb_secret_abc123"],
];
for (const [name, value, token] of accepted) {
  Deno.test(`extractBearerToken() accepts ${name}`, () => {
    assert.equal(extractBearerToken(headers(value)), token);
  });
}

Deno.test("extractBearerToken() answers PGRST302 when there is no Authorization header", async () => {
  const err = await assertRefused(() => extractBearerToken(headers()), {
    code: "PGRST302",
    status: 401,
    message: "Missing Authorization header: sign in and send the user's access token",
  });
  assert.equal(err.wwwAuthenticate, "Bearer");
  assert.match(err.hint ?? "", /Authorization: Bearer <token>/);
});

Deno.test("extractBearerToken() answers PGRST302 for a blank Authorization header", async () => {
  await assertRefused(() => extractBearerToken(headers("   ")), { code: "PGRST302" });
  await assertRefused(() => extractBearerToken(headers("")), { code: "PGRST302" });
});

const malformed: [string, string | string[], string][] = [
  [
    "another scheme",
    `Basic ${btoa("user:password-secret")}`,
    'Invalid Authorization header: expected "Bearer <token>"',
  ],
  ["a token without scheme", TOKEN, 'Invalid Authorization header: expected "Bearer <token>"'],
  ["the scheme alone", "Bearer", 'Invalid Authorization header: expected "Bearer <token>"'],
  ["the scheme with a trailing space", "Bearer ", 'Invalid Authorization header: expected "Bearer <token>"'],
  [
    "a scheme glued to the token",
    `Bearer${TOKEN}`,
    'Invalid Authorization header: expected "Bearer <token>"',
  ],
  ["a tab separator", `Bearer\t${TOKEN}`, 'Invalid Authorization header: expected "Bearer <token>"'],
  ["a misspelt scheme", `Bearerr ${TOKEN}`, 'Invalid Authorization header: expected "Bearer <token>"'],
  ["a quoted token", `Bearer "${TOKEN}"`, 'Invalid Authorization header: expected "Bearer <token>"'],
  [
    "characters outside b64token",
    "Bearer abc%3Ddef",
    'Invalid Authorization header: expected "Bearer <token>"',
  ],
  ["non-ASCII characters", "Bearer jwt\u00e9", 'Invalid Authorization header: expected "Bearer <token>"'],
  ["padding in the middle", "Bearer ab=cd", 'Invalid Authorization header: expected "Bearer <token>"'],
  [
    "two tokens",
    `Bearer ${TOKEN} ${TOKEN}`,
    'Invalid Authorization header: expected exactly one "Bearer <token>"',
  ],
  [
    "two headers",
    [`Bearer ${TOKEN}`, `Bearer ${TOKEN}x`],
    'Invalid Authorization header: expected exactly one "Bearer <token>"',
  ],
  [
    "a comma-separated list",
    `Bearer ${TOKEN}, Basic abc`,
    'Invalid Authorization header: expected exactly one "Bearer <token>"',
  ],
];
for (const [name, value, message] of malformed) {
  Deno.test(`extractBearerToken() refuses ${name} with PGRST301`, async () => {
    const err = await assertRefused(() => extractBearerToken(headers(value)), {
      code: "PGRST301",
      status: 401,
      message,
    }, [TOKEN, btoa("user:password-secret")]);
    assert.equal(err.wwwAuthenticate, 'Bearer error="invalid_token"');
  });
}

Deno.test("extractBearerToken() refuses a 100 KB token by its length", async () => {
  const huge = "a".repeat(100_000);
  await assertRefused(() => extractBearerToken(headers(`Bearer ${huge}`)), {
    code: "PGRST301",
    message: "Invalid Authorization header: the token is longer than 8192 characters",
  }, [huge]);
});

Deno.test("extractBearerToken() accepts a token of exactly the maximum length, and honours maxLength", async () => {
  const longest = "a".repeat(8192);
  assert.equal(extractBearerToken(headers(`Bearer ${longest}`)), longest);
  await assertRefused(() => extractBearerToken(headers(`Bearer ${longest}a`)), {
    code: "PGRST301",
    message: /longer than 8192 characters/,
  });
  await assertRefused(() => extractBearerToken(headers(`Bearer ${TOKEN}`), { maxLength: 10 }), {
    code: "PGRST301",
    message: "Invalid Authorization header: the token is longer than 10 characters",
  });
});
