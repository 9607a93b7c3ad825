import assert from "node:assert/strict";
import { levelAliases } from "./_sql_names.ts";
import { render } from "./sql_fragment.ts";

Deno.test("levelAliases() names a level's aliases after its node id", () => {
  const aliases = levelAliases(3);
  assert.deepEqual(
    [aliases.table, aliases.lateral, aliases.row, aliases.junction].map((a) => render(a).text),
    ['"pgrst_t3"', '"pgrst_e3"', '"pgrst_r3"', '"pgrst_j3"'],
  );
});
