import assert from "node:assert/strict";
import {
  type CpuProfile,
  type CpuProfileNode,
  frameFile,
  frameLabel,
  summarizeProfile,
  type TimeRow,
} from "./_cpu_profile.ts";

const ROOT = "/app";
const POSTGRES =
  "file:///elsewhere/node_modules/.deno/postgres@3.4.9/node_modules/postgres/src/connection.js";

function node(id: number, functionName: string, url: string, lineNumber: number, children?: number[]) {
  const result: CpuProfileNode = { id, callFrame: { functionName, url, lineNumber } };
  if (children) result.children = children;
  return result;
}

/**
 * (root) → (idle), (program), (garbage collector),
 *          handle (functions/tenant-data/index.ts:10) → execute (execute.ts:20) → write (postgres.js)
 *                                                                              → execute again (recursion)
 *                                                     → cors (cors.ts:5)
 *          serve (Deno's HTTP, no project frame) → parse (a package)
 */
const PROFILE: CpuProfile = {
  nodes: [
    node(1, "(root)", "", -1, [2, 3, 4, 5, 8]),
    node(2, "(idle)", "", -1),
    node(3, "(program)", "", -1),
    node(4, "(garbage collector)", "", -1),
    node(5, "handle", "file:///app/functions/tenant-data/index.ts", 9, [6, 9]),
    node(6, "execute", "file:///app/functions/_shared/gateway/execute.ts", 19, [7, 11]),
    node(7, "write", POSTGRES, 99),
    node(8, "serve", "ext:deno_http/00_serve.ts", 0, [10]),
    node(9, "cors", "file:///app/functions/_shared/http/cors.ts", 4),
    node(10, "", "file:///app/node_modules/hono/dist/parse.js", 2),
    node(11, "execute", "file:///app/functions/_shared/gateway/execute.ts", 19),
  ],
  startTime: 5_000_000,
  endTime: 5_002_700,
  // Sample times since the start: 1000 1300 1500 1600 1750 1800 1920 2000 2060 2100 2600 2700.
  samples: [2, 7, 6, 9, 4, 3, 10, 8, 11, 5, 2, 7],
  timeDeltas: [1000, 300, 200, 100, 150, 50, 120, 80, 60, 40, 500, 100],
};
const REQUESTS = 10;
const options = { root: ROOT };

const table = (rows: TimeRow[]) => rows.map((row) => [row.label, row.usPerRequest]);
const summary = summarizeProfile(PROFILE, REQUESTS, options);

Deno.test("idle samples count nowhere: 1,200 of 2,700 µs sampled, over 10 requests", () => {
  assert.equal(summary.nonIdleUsPerRequest, 120);
  assert.equal(summary.samples, 12);
  assert.equal(summary.spanUs, 2700);
  assert.ok(!summary.byFunction.some((row) => row.label === "(idle)"));
});

Deno.test("self time goes to the function sampled, one row per function however often it recurs", () => {
  assert.deepEqual(table(summary.byFunction), [
    ["write node_modules/postgres/src/connection.js:100", 40],
    ["execute functions/_shared/gateway/execute.ts:20", 26],
    ["(garbage collector)", 15],
    ["(anonymous) node_modules/hono/dist/parse.js:3", 12],
    ["cors functions/_shared/http/cors.ts:5", 10],
    ["serve ext:deno_http/00_serve.ts:1", 8],
    ["(program)", 5],
    ["handle functions/tenant-data/index.ts:10", 4],
  ]);
});

Deno.test("a package's time goes to the nearest project frame; V8's states and the rest get rows", () => {
  const rows = summary.byProjectFrame;
  assert.deepEqual(table(rows), [
    ["execute functions/_shared/gateway/execute.ts:20", 66],
    ["(no project frame)", 20],
    ["(garbage collector)", 15],
    ["cors functions/_shared/http/cors.ts:5", 10],
    ["(program)", 5],
    ["handle functions/tenant-data/index.ts:10", 4],
  ]);
  assert.equal(rows[0]?.share, 0.55);
});

Deno.test("by project file sums the nearest project frames of each file", () => {
  assert.deepEqual(table(summary.byProjectFile), [
    ["functions/_shared/gateway/execute.ts", 66],
    ["(no project frame)", 20],
    ["(garbage collector)", 15],
    ["functions/_shared/http/cors.ts", 10],
    ["(program)", 5],
    ["functions/tenant-data/index.ts", 4],
  ]);
});

Deno.test("inclusive time counts a sample once per project function on its stack", () => {
  assert.deepEqual(table(summary.inclusive), [
    ["handle functions/tenant-data/index.ts:10", 80],
    ["execute functions/_shared/gateway/execute.ts:20", 66],
    ["cors functions/_shared/http/cors.ts:5", 10],
  ]);
});

Deno.test("a window keeps the samples taken from its start until before its end", () => {
  const window = { fromUs: 1500, toUs: 2100 };
  const inWindow = summarizeProfile(PROFILE, REQUESTS, { ...options, window, top: 2 });
  assert.equal(inWindow.nonIdleUsPerRequest, 76);
  assert.equal(inWindow.samples, 7);
  assert.equal(inWindow.spanUs, 760);
  assert.equal(inWindow.garbageCollectorUsPerRequest, 15);
  assert.equal(inWindow.programUsPerRequest, 5);
  // execute 200 + 60, cors 100, handle nothing (its one sample falls at the window's end).
  assert.equal(inWindow.projectUsPerRequest, 36);
  assert.deepEqual(table(inWindow.byProjectFrame), [
    ["execute functions/_shared/gateway/execute.ts:20", 26],
    ["(no project frame)", 20],
  ]);
});

Deno.test("labels: paths relative to the root, packages by their own path, other URLs as they are", () => {
  assert.equal(frameFile("file:///app/bench/baseline_server.ts", ROOT), "bench/baseline_server.ts");
  assert.equal(frameFile(POSTGRES, ROOT), "node_modules/postgres/src/connection.js");
  assert.equal(frameFile("file:///other/checkout/functions/x.ts", ROOT), "/other/checkout/functions/x.ts");
  assert.equal(frameFile("ext:deno_http/00_serve.ts", ROOT), "ext:deno_http/00_serve.ts");
  assert.equal(frameLabel({ functionName: "(program)", url: "", lineNumber: -1 }, ROOT), "(program)");
});

Deno.test("a profile is read per request: no requests is an error", () => {
  assert.throws(() => summarizeProfile(PROFILE, 0, options), RangeError);
});
