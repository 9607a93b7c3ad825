import assert from "node:assert/strict";
import { readSecretArgs } from "./read_secret.ts";
import { UsageError } from "./usage_error.ts";

const stdin = (text: string) => ({ readStdin: () => Promise.resolve(text) });

Deno.test("readSecretArgs() replaces '-' with standard input without its trailing newline", async () => {
  const values = await readSecretArgs({ url: "-", other: "x" }, stdin("postgresql://u:p@h/db\n"));
  assert.deepEqual(values, { url: "postgresql://u:p@h/db", other: "x" });
});

Deno.test("readSecretArgs() leaves values alone when nothing asks for standard input", async () => {
  assert.deepEqual(await readSecretArgs({ url: "a", key: undefined }, stdin("unused")), {
    url: "a",
    key: undefined,
  });
});

Deno.test("readSecretArgs() refuses two options reading standard input, and an empty one", async () => {
  await assert.rejects(readSecretArgs({ url: "-", key: "-" }, stdin("x")), UsageError);
  await assert.rejects(readSecretArgs({ url: "-" }, stdin("\n")), UsageError);
});
