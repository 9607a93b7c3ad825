import assert from "node:assert/strict";
import { Deadlines } from "./_deadlines.ts";

const expired = () => Object.assign(new Error("no answer in time"), { code: "ETIMEDOUT" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("Deadlines passes on what settles in time, and holds no timer afterwards", async () => {
  const deadlines = new Deadlines();
  assert.equal(await deadlines.within(Promise.resolve(42), 1000, expired), 42);
  await assert.rejects(deadlines.within(Promise.reject(new Error("refused")), 1000, expired), /refused/);
  assert.equal(deadlines.pending, 0);
  // The test's op sanitizer fails it if a timer were left armed.
});

Deno.test("Deadlines gives up on work not settled by its deadline, and ignores its late outcome", async () => {
  const deadlines = new Deadlines();
  let fail!: (error: Error) => void;
  const hung = new Promise<number>((_, reject) => fail = reject);
  const started = performance.now();
  await assert.rejects(deadlines.within(hung, 50, expired), { code: "ETIMEDOUT" });
  assert.ok(performance.now() - started >= 49, "not before its deadline");
  assert.equal(deadlines.pending, 0);
  fail(new Error("the connection was destroyed")); // no unhandled rejection
});

Deno.test("Deadlines: one timer serves several deadlines, each expiring on its own", async () => {
  const deadlines = new Deadlines();
  const never = new Promise<string>(() => {});
  let answer!: (value: string) => void;
  const answered = new Promise<string>((resolve) => answer = resolve);
  const outcomes: string[] = [];
  const watched = [
    deadlines.within(never, 80, expired).catch(() => outcomes.push("late 80")),
    deadlines.within(answered, 30, expired).then((value) => outcomes.push(value)),
    deadlines.within(never, 40, expired).catch(() => outcomes.push("late 40")),
  ];
  assert.equal(deadlines.pending, 3);
  answer("answered");
  await Promise.all(watched);
  assert.deepEqual(outcomes, ["answered", "late 40", "late 80"]);
  assert.equal(deadlines.pending, 0);
  await sleep(0);
});
