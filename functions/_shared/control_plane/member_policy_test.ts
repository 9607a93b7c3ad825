import assert from "node:assert/strict";
import { AdminError } from "./admin_error.ts";
import { type ActorRole, checkMemberChange, type MemberChange } from "./member_policy.ts";

const allowed: [ActorRole, MemberChange][] = [
  ["platform", { kind: "add", role: "owner" }],
  ["owner", { kind: "update", from: "owner", to: "member" }],
  ["owner", { kind: "remove", role: "owner", self: false }],
  ["admin", { kind: "list" }],
  ["admin", { kind: "add", role: "admin" }],
  ["admin", { kind: "update", from: "member", to: "admin" }],
  ["admin", { kind: "remove", role: "viewer", self: false }],
  ["member", { kind: "remove", role: "member", self: true }],
  ["viewer", { kind: "remove", role: "viewer", self: true }],
];

const refused: [ActorRole, MemberChange, string][] = [
  ["admin", { kind: "add", role: "owner" }, "TR612"],
  ["admin", { kind: "update", from: "member", to: "owner" }, "TR612"],
  ["admin", { kind: "update", from: "owner", to: "admin" }, "TR612"],
  ["admin", { kind: "remove", role: "owner", self: false }, "TR612"],
  ["member", { kind: "list" }, "TR611"],
  ["member", { kind: "add", role: "viewer" }, "TR611"],
  ["viewer", { kind: "remove", role: "member", self: false }, "TR611"],
];

for (const [actor, change] of allowed) {
  Deno.test(`checkMemberChange() lets ${actor} ${JSON.stringify(change)}`, () => {
    checkMemberChange(actor, change);
  });
}

for (const [actor, change, code] of refused) {
  Deno.test(`checkMemberChange() refuses ${actor} ${JSON.stringify(change)} with ${code}`, () => {
    assert.throws(() => checkMemberChange(actor, change), (error: unknown) => {
      assert.ok(error instanceof AdminError);
      assert.equal(error.code, code);
      return true;
    });
  });
}
