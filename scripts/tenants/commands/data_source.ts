/**
 * `data-source add | list | test | update | create-local`.
 *
 * @module
 */
import { defineCommand } from "citty";
import { dataSourceAddCommand } from "./data_source_add.ts";
import { dataSourceCreateLocalCommand } from "./data_source_create_local.ts";
import { dataSourceListCommand } from "./data_source_list.ts";
import { dataSourceTestCommand } from "./data_source_probe.ts";
import { dataSourceUpdateCommand } from "./data_source_update.ts";

/** The `data-source` command group. */
export const dataSourceCommand = defineCommand({
  meta: {
    name: "tenants data-source",
    description: "Register, list, test and update data sources; create a local one",
  },
  subCommands: {
    add: dataSourceAddCommand,
    list: dataSourceListCommand,
    test: dataSourceTestCommand,
    update: dataSourceUpdateCommand,
    "create-local": dataSourceCreateLocalCommand,
  },
});
