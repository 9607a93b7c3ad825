import assert from "node:assert/strict";
import type { Catalog, CatalogFunction } from "../../catalog/mod.ts";
import { PostgrestError } from "../../errors/mod.ts";
import { findFunction } from "./plan_function.ts";

function fn(name: string, parameters: [string, string, boolean?][]): CatalogFunction {
  return {
    name,
    parameters: parameters.map(([pname, type, hasDefault]) => ({
      name: pname,
      type,
      hasDefault: hasDefault === true,
      variadic: false,
    })),
    returns: { setOf: false, kind: "scalar", type: "integer", table: null, columns: [], rows: 0 },
    volatility: "stable",
    securityDefiner: false,
    grantedToAuthenticated: true,
  };
}

const catalog: Catalog = {
  schema: "api",
  version: "test",
  tables: [],
  functions: [
    fn("test", [["val", "text"], ["param", "text"], ["name", "text"]]),
    fn("test", [["id", "integer"], ["attr", "text"]]),
    fn("another", []),
    fn("opt", [["a", "integer"], ["b", "integer", true]]),
  ],
};

function refused(name: string, keys: string[]): PostgrestError {
  try {
    findFunction(catalog, { name, keys, jsonBody: false, singleObject: false });
  } catch (err) {
    assert.ok(err instanceof PostgrestError);
    return err;
  }
  throw new Error("expected a refusal");
}

Deno.test("findFunction() requires every parameter without default, and takes the others when given", () => {
  const options = { jsonBody: false, singleObject: false };
  assert.equal(findFunction(catalog, { name: "opt", keys: ["a"], ...options }).fn.parameters.length, 2);
  assert.equal(findFunction(catalog, { name: "opt", keys: ["a", "b"], ...options }).fn.name, "opt");
  assert.equal(refused("opt", ["b"]).code, "PGRST202");
  assert.equal(refused("opt", ["a", "c"]).code, "PGRST202");
});

Deno.test("findFunction() hints as PostgREST's noRpcHint examples do", () => {
  assert.equal(
    refused("testt", ["val", "param", "name"]).hint,
    "Perhaps you meant to call the function api.test",
  );
  assert.equal(refused("noclosealternative", []).hint, null);
  assert.equal(
    refused("test", ["vall", "pqaram", "nam"]).hint,
    "Perhaps you meant to call the function api.test(name, param, val)",
  );
  assert.equal(
    refused("test", ["id", "attrs"]).hint,
    "Perhaps you meant to call the function api.test(attr, id)",
  );
});

Deno.test("findFunction() words PGRST202 as PostgREST, with and without parameters", () => {
  const none = refused("missing", []);
  assert.equal(
    none.message,
    "Could not find the function api.missing without parameters in the schema cache",
  );
  assert.equal(
    none.details,
    "Searched for the function api.missing without parameters, but no matches were found in the schema cache.",
  );
  const two = refused("missing", ["b", "a"]);
  assert.equal(two.message, "Could not find the function api.missing(a, b) in the schema cache");
});
