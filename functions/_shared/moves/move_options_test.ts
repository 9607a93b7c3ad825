import assert from "node:assert/strict";
import type { Keyring } from "../crypto/mod.ts";
import { MOVE_DEFAULTS, resolveMoveOptions } from "./move_options.ts";

const keyring = {} as Keyring;

Deno.test("resolveMoveOptions() fills in the defaults", () => {
  const resolved = resolveMoveOptions({ keyring, claims: { role: "service_role" } });
  assert.equal(resolved.batchRows, MOVE_DEFAULTS.batchRows);
  assert.equal(resolved.concurrency, 4);
  assert.equal(resolved.freezeGraceMs, 500);
  assert.equal(typeof resolved.onEvent, "function");
});

Deno.test("resolveMoveOptions() refuses a batch size or concurrency below 1 and negative times", () => {
  assert.throws(() => resolveMoveOptions({ keyring, claims: {}, batchRows: 0 }), RangeError);
  assert.throws(() => resolveMoveOptions({ keyring, claims: {}, concurrency: 1.5 }), RangeError);
  assert.throws(() => resolveMoveOptions({ keyring, claims: {}, freezeGraceMs: -1 }), /freezeGraceMs/);
  assert.equal(resolveMoveOptions({ keyring, claims: {}, catchUpRounds: 0 }).catchUpRounds, 0);
});
