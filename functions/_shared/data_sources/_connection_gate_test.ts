import assert from "node:assert/strict";
import { ConnectionGate, type GateTicket } from "./_connection_gate.ts";
import { PoolBusyError } from "./errors.ts";

/** Whether the promise has settled after the pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("ConnectionGate with openingAtOnce 1 grows the pool one connection at a time", async () => {
  const gate = new ConnectionGate(10, { openingAtOnce: 1 });
  const first = await gate.admit({ timeoutMs: 1000 });
  assert.equal(first.opener, true);
  const waiting = [1, 2, 3].map(() => gate.admit({ timeoutMs: 1000 }));
  assert.equal(await settled(Promise.race(waiting)), false);
  assert.equal(gate.waiting, 3);
  gate.connected(first); // one connection open, held by the first request: the next may open another
  const second = await waiting[0]!;
  assert.equal(second.opener, true);
  assert.equal(gate.waiting, 2);
  gate.release(first, { connected: true }); // its connection is free: a waiter takes it without opening
  const third = await waiting[1]!;
  assert.equal(third.opener, false);
  assert.equal(await settled(waiting[2]!), false);
  gate.connected(second);
  assert.equal((await waiting[2]!).opener, true);
  assert.equal(gate.open, 2);
  assert.equal(gate.admitted, 3);
});

Deno.test("ConnectionGate opens a cold pool's first connection alone, then up to openingAtOnce together", async () => {
  const gate = new ConnectionGate(5, { openingAtOnce: 2 });
  const first = await gate.admit({ timeoutMs: 1000 });
  assert.equal(first.opener, true);
  const waiting = Array.from({ length: 6 }, () => gate.admit({ timeoutMs: 1000 }));
  assert.equal(await settled(Promise.race(waiting)), false, "none opens beside the first connection");
  assert.equal(gate.opening, 1);
  gate.connected(first); // the data source answers: two more open together, the rest wait
  const [second, third] = await Promise.all([waiting[0]!, waiting[1]!]);
  assert.deepEqual([second.opener, third.opener], [true, true]);
  assert.equal(gate.opening, 2);
  assert.equal(await settled(waiting[2]!), false);
  gate.connected(second);
  assert.equal((await waiting[2]!).opener, true);
  assert.equal(gate.opening, 2);
  gate.connected(third);
  const fifth = await waiting[3]!; // the pool's last connection (5 admitted)
  assert.equal(fifth.opener, true);
  assert.equal(gate.admitted, 5);
  assert.equal(await settled(waiting[4]!), false, "never more admitted than the pool's size");
  gate.release(first, { connected: true });
  assert.equal((await waiting[4]!).opener, false);
  assert.equal(gate.admitted, 5);
  assert.ok(gate.open + gate.opening <= 5);
});

Deno.test("ConnectionGate opens the first connection alone again after every connection closed", async () => {
  const gate = new ConnectionGate(4, { openingAtOnce: 3 });
  const first = await gate.admit({ timeoutMs: 1000 });
  gate.release(first, { connected: true });
  assert.equal(gate.open, 1);
  gate.connectionClosed(); // idle timeout, or the data source went away
  const again = await gate.admit({ timeoutMs: 1000 });
  assert.equal(again.opener, true);
  const second = gate.admit({ timeoutMs: 1000 });
  assert.equal(await settled(second), false);
  gate.release(again, { connected: false }); // it failed: the next one tries alone again
  assert.equal((await second).opener, true);
  assert.equal(gate.opening, 1);
});

Deno.test("ConnectionGate rejects an openingAtOnce that cannot work", () => {
  assert.throws(() => new ConnectionGate(3, { openingAtOnce: 0 }), RangeError);
  assert.throws(() => new ConnectionGate(3, { openingAtOnce: 1.5 }), RangeError);
});

Deno.test("ConnectionGate counts an opener's connection once, and none when it failed", async () => {
  const gate = new ConnectionGate(2);
  const failed = await gate.admit({ timeoutMs: 1000 });
  gate.release(failed, { connected: false });
  assert.equal(gate.open, 0);
  const opener = await gate.admit({ timeoutMs: 1000 });
  assert.equal(opener.opener, true);
  gate.connected(opener);
  gate.connected(opener);
  gate.release(opener, { connected: true });
  assert.equal(gate.open, 1);
  gate.connectionClosed();
  gate.connectionClosed();
  assert.equal(gate.open, 0);
});

Deno.test("ConnectionGate never admits more requests than the pool has connections", async () => {
  const gate = new ConnectionGate(2);
  const tickets: GateTicket[] = [];
  for (let i = 0; i < 2; i++) {
    const ticket = await gate.admit({ timeoutMs: 1000 });
    gate.connected(ticket);
    tickets.push(ticket);
  }
  const third = gate.admit({ timeoutMs: 1000 });
  assert.equal(await settled(third), false);
  gate.release(tickets[0]!, { connected: true });
  assert.equal((await third).opener, false);
  assert.equal(gate.open, 2);
});

Deno.test("ConnectionGate gives up after the timeout with PoolBusyError, or with the abort reason", async () => {
  const gate = new ConnectionGate(1);
  await gate.admit({ timeoutMs: 1000 });
  await assert.rejects(gate.admit({ timeoutMs: 10 }), PoolBusyError);
  const controller = new AbortController();
  const waiting = gate.admit({ timeoutMs: 1000, signal: controller.signal });
  controller.abort(new RangeError("circuit open"));
  await assert.rejects(waiting, RangeError);
  assert.equal(gate.waiting, 0);
  assert.throws(() => gate.admit({ timeoutMs: 1000, signal: controller.signal }), RangeError);
});

Deno.test("ConnectionGate.openAll() admits every waiter at once, for a retiring pool", async () => {
  const gate = new ConnectionGate(1);
  await gate.admit({ timeoutMs: 1000 });
  const waiting = [gate.admit({ timeoutMs: 1000 }), gate.admit({ timeoutMs: 1000 })];
  gate.openAll();
  assert.deepEqual((await Promise.all(waiting)).map((ticket) => ticket.opener), [false, false]);
  assert.equal(gate.admitted, 3);
});
