/**
 * `data-source add | list | test`.
 *
 * @module
 */
import { defineCommand } from "citty";
import { dataSourceAddCommand } from "./data_source_add.ts";
import { dataSourceListCommand } from "./data_source_list.ts";
import { dataSourceTestCommand } from "./data_source_probe.ts";

/** The `data-source` command group. */
export const dataSourceCommand = defineCommand({
  meta: { name: "tenants data-source", description: "Register, list and test data sources" },
  subCommands: { add: dataSourceAddCommand, list: dataSourceListCommand, test: dataSourceTestCommand },
});
