/**
 * The membership rules, in one place (the database enforces the same ones through RLS and the
 * last-owner trigger; this module refuses early with clear messages):
 *
 * - platform callers (service role, platform admins) and owners manage every membership;
 * - admins manage every membership but an owner's: they cannot add owners, promote anyone to owner,
 *   demote or remove an owner;
 * - members and viewers can only leave;
 * - the last owner can neither leave nor be demoted or removed (the database refuses: `TR632`).
 *
 * @module
 */
import { AdminError } from "./admin_error.ts";

/** A membership role. */
export type MemberRole = "owner" | "admin" | "member" | "viewer";

/** Who acts: a platform caller, or a user with their role in the tenant. */
export type ActorRole = "platform" | MemberRole;

/** A change to memberships, as {@linkcode checkMemberChange} judges it. */
export type MemberChange =
  | { kind: "list" }
  | { kind: "add"; role: MemberRole }
  | { kind: "update"; from: MemberRole; to: MemberRole }
  | { kind: "remove"; role: MemberRole; self: boolean };

/**
 * Throws when `actor` may not make `change`.
 *
 * @throws {AdminError} `TR611` for members and viewers doing anything but leaving, `TR612` for an
 * admin touching an owner's membership.
 *
 * @example
 * ```ts
 * checkMemberChange("admin", { kind: "add", role: "owner" }); // throws TR612
 * ```
 */
export function checkMemberChange(actor: ActorRole, change: MemberChange): void {
  if (actor === "platform" || actor === "owner") return;
  if (actor === "member" || actor === "viewer") {
    if (change.kind === "remove" && change.self) return;
    throw new AdminError("TR611");
  }
  switch (change.kind) {
    case "list":
      return;
    case "add":
      if (change.role === "owner") throw ownerRule("Admins cannot add owners");
      return;
    case "update":
      if (change.from === "owner") throw ownerRule("Admins cannot change an owner's role");
      if (change.to === "owner") throw ownerRule("Admins cannot make anyone owner");
      return;
    case "remove":
      if (change.role === "owner") throw ownerRule("Admins cannot remove owners");
      return;
  }
}

function ownerRule(message: string): AdminError {
  return new AdminError("TR612", message, { hint: "Ask an owner of the tenant" });
}
