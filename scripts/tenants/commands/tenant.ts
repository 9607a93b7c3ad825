/**
 * `tenant create | assign | list`.
 *
 * @module
 */
import { defineCommand } from "citty";
import { tenantAssignCommand } from "./tenant_assign.ts";
import { tenantCreateCommand } from "./tenant_create.ts";
import { tenantListCommand } from "./tenant_list.ts";

/** The `tenant` command group. */
export const tenantCommand = defineCommand({
  meta: { name: "tenants tenant", description: "Create, route and list tenants" },
  subCommands: { create: tenantCreateCommand, assign: tenantAssignCommand, list: tenantListCommand },
});
