import assert from "node:assert/strict";
import { DEFAULT_TABLE, encodeAssociatedData, type SealContext } from "./associated_data.ts";

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

Deno.test("encodeAssociatedData() writes tr1 then each part as u32be byte length and UTF-8 bytes", () => {
  const aad = encodeAssociatedData("k1", { table: "t", rowId: "r1", field: "url" });
  assert.equal(
    hex(aad),
    [
      "747231", // "tr1"
      "00000002" + "6b31", // "k1"
      "00000001" + "74", // "t"
      "00000002" + "7231", // "r1"
      "00000003" + "75726c", // "url"
    ].join(""),
  );
});

Deno.test("encodeAssociatedData() defaults the table to private.data_sources", () => {
  assert.equal(DEFAULT_TABLE, "private.data_sources");
  assert.deepEqual(
    encodeAssociatedData("k1", { rowId: "r", field: "f" }),
    encodeAssociatedData("k1", { table: "private.data_sources", rowId: "r", field: "f" }),
  );
});

Deno.test("encodeAssociatedData() counts lengths in UTF-8 bytes, not UTF-16 code units", () => {
  const aad = encodeAssociatedData("k", { table: "t", rowId: "é", field: "🔑" });
  assert.equal(hex(aad.subarray(-14)), "00000002" + "c3a9" + "00000004" + "f09f9491");
});

Deno.test("encodeAssociatedData() never maps two different bindings to the same bytes", () => {
  const pairs: [string, string, SealContext, string, SealContext][] = [
    ["a boundary shift between rowId and field", "k", { rowId: "ab", field: "c" }, "k", {
      rowId: "a",
      field: "bc",
    }],
    ["a boundary shift between table and rowId", "k", { table: "t.a", rowId: "b", field: "f" }, "k", {
      table: "t",
      rowId: ".ab",
      field: "f",
    }],
    ["a boundary shift between key id and table", "k1", { table: "t", rowId: "r", field: "f" }, "k", {
      table: "1t",
      rowId: "r",
      field: "f",
    }],
    ["a separator smuggled into a part", "k", { rowId: "r|f", field: "g" }, "k", {
      rowId: "r",
      field: "f|g",
    }],
    ["a length prefix smuggled into a part", "k", { rowId: "r\u0000\u0000\u0000\u0001f", field: "x" }, "k", {
      rowId: "r",
      field: "f\u0000\u0000\u0000\u0001x",
    }],
    ["another key id", "k1", { rowId: "r", field: "f" }, "k2", { rowId: "r", field: "f" }],
    ["another table", "k", { table: "a.b", rowId: "r", field: "f" }, "k", {
      table: "a.c",
      rowId: "r",
      field: "f",
    }],
    ["swapped row and field", "k", { rowId: "url", field: "r" }, "k", { rowId: "r", field: "url" }],
  ];
  for (const [name, keyA, contextA, keyB, contextB] of pairs) {
    assert.notDeepEqual(encodeAssociatedData(keyA, contextA), encodeAssociatedData(keyB, contextB), name);
  }
});

Deno.test("encodeAssociatedData() rejects an empty, missing or malformed context part", () => {
  const cases: [string, unknown][] = [
    ["rowId", { rowId: "", field: "f" }],
    ["rowId", { field: "f" }],
    ["field", { rowId: "r", field: "" }],
    ["field", { rowId: "r", field: 7 }],
    ["table", { table: "", rowId: "r", field: "f" }],
    ["rowId", { rowId: "r\uD800", field: "f" }],
  ];
  for (const [name, context] of cases) {
    assert.throws(
      () => encodeAssociatedData("k", context as SealContext),
      (err: unknown) => err instanceof TypeError && err.message.includes(`context.${name}`),
      JSON.stringify(context),
    );
  }
  assert.throws(() => encodeAssociatedData("k", null as unknown as SealContext), TypeError);
});

Deno.test("encodeAssociatedData() rejects a malformed key id", () => {
  for (const keyId of ["", "has space", "x".repeat(65), "ключ"]) {
    assert.throws(() => encodeAssociatedData(keyId, { rowId: "r", field: "f" }), TypeError, keyId);
  }
});
