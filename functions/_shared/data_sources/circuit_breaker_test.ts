import assert from "node:assert/strict";
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitPermit,
  type CircuitState,
} from "./circuit_breaker.ts";

/** One step of a scenario: an action at a time, then what must hold. */
type Step =
  | { at: number; do: "request"; expect: "allowed" | "trial" | { retryAfterMs: number } }
  | { at: number; do: "success" | "failure" | "release"; permit?: number }
  | { at: number; do: "reset" }
  | { at: number; do: "state"; expect: CircuitState };

interface Scenario {
  name: string;
  options?: CircuitBreakerOptions;
  steps: Step[];
}

const fast = { failureThreshold: 3, coolDownMs: 5_000, maxCoolDownMs: 30_000, trialTimeoutMs: 10_000 };

const scenarios: Scenario[] = [
  {
    name: "stays closed while failures are fewer than the threshold",
    steps: [
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "failure" },
      { at: 1, do: "request", expect: "allowed" },
      { at: 1, do: "failure" },
      { at: 2, do: "state", expect: "closed" },
    ],
  },
  {
    name: "a success resets the count of consecutive failures",
    steps: [
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "failure" },
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "failure" },
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "success" },
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "failure" },
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "failure" },
      { at: 0, do: "state", expect: "closed" },
    ],
  },
  {
    name: "opens after three consecutive failures and fails fast for the cool-down",
    steps: [
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "failure" },
      { at: 10, do: "request", expect: "allowed" },
      { at: 10, do: "failure" },
      { at: 20, do: "request", expect: "allowed" },
      { at: 20, do: "failure" },
      { at: 20, do: "state", expect: "open" },
      { at: 1_020, do: "request", expect: { retryAfterMs: 4_000 } },
      { at: 5_019, do: "request", expect: { retryAfterMs: 1 } },
      { at: 5_020, do: "state", expect: "half_open" },
    ],
  },
  {
    name: "half-open lets one trial through; its success closes the circuit",
    steps: [
      ...openAt(0),
      { at: 5_000, do: "request", expect: "trial" },
      { at: 5_001, do: "request", expect: { retryAfterMs: 1_000 } },
      { at: 5_002, do: "success", permit: 0 },
      { at: 5_002, do: "state", expect: "closed" },
      { at: 5_003, do: "request", expect: "allowed" },
    ],
  },
  {
    name: "a failed trial re-opens with doubled cool-downs up to the maximum",
    steps: [
      ...openAt(0),
      { at: 5_000, do: "request", expect: "trial" },
      { at: 5_000, do: "failure", permit: 0 },
      { at: 5_000, do: "request", expect: { retryAfterMs: 10_000 } },
      { at: 15_000, do: "request", expect: "trial" },
      { at: 15_000, do: "failure", permit: 0 },
      { at: 15_000, do: "request", expect: { retryAfterMs: 20_000 } },
      { at: 35_000, do: "request", expect: "trial" },
      { at: 35_000, do: "failure", permit: 0 },
      { at: 35_000, do: "request", expect: { retryAfterMs: 30_000 } },
      { at: 65_000, do: "request", expect: "trial" },
      { at: 65_000, do: "failure", permit: 0 },
      { at: 65_000, do: "request", expect: { retryAfterMs: 30_000 } },
    ],
  },
  {
    name: "a success after re-opening starts again from the first cool-down",
    steps: [
      ...openAt(0),
      { at: 5_000, do: "request", expect: "trial" },
      { at: 5_000, do: "failure", permit: 0 },
      { at: 15_000, do: "request", expect: "trial" },
      { at: 15_000, do: "success", permit: 0 },
      ...openAt(16_000),
      { at: 16_000, do: "request", expect: { retryAfterMs: 5_000 } },
    ],
  },
  {
    name: "outcomes of requests from before the circuit opened are ignored",
    steps: [
      { at: 0, do: "request", expect: "allowed" }, // a slow request, reported at the end
      ...openAt(1),
      { at: 2, do: "success", permit: 0 },
      { at: 2, do: "state", expect: "open" },
      { at: 5_001, do: "request", expect: "trial" },
      { at: 5_002, do: "failure", permit: 1 }, // a request from the closed state, late
      { at: 5_002, do: "state", expect: "half_open" },
      { at: 5_003, do: "request", expect: { retryAfterMs: 1_000 } },
      { at: 5_004, do: "success", permit: 0 },
      { at: 5_004, do: "state", expect: "closed" },
    ],
  },
  {
    name: "a released trial lets the next request be the trial",
    steps: [
      ...openAt(0),
      { at: 5_000, do: "request", expect: "trial" },
      { at: 5_001, do: "release" },
      { at: 5_002, do: "request", expect: "trial" },
    ],
  },
  {
    name: "a trial that never reports frees its slot after the trial timeout",
    steps: [
      ...openAt(0),
      { at: 5_000, do: "request", expect: "trial" },
      { at: 14_999, do: "request", expect: { retryAfterMs: 1_000 } },
      { at: 15_000, do: "request", expect: "trial" },
      { at: 15_001, do: "success", permit: 1 }, // the silent first trial, too late
      { at: 15_001, do: "state", expect: "half_open" },
      { at: 15_002, do: "success", permit: 0 },
      { at: 15_002, do: "state", expect: "closed" },
    ],
  },
  {
    name: "reset() closes an open circuit at once",
    steps: [
      ...openAt(0),
      { at: 1, do: "reset" },
      { at: 1, do: "request", expect: "allowed" },
      { at: 1, do: "state", expect: "closed" },
    ],
  },
  {
    name: "a threshold of one opens on the first failure",
    options: { failureThreshold: 1, coolDownMs: 100 },
    steps: [
      { at: 0, do: "request", expect: "allowed" },
      { at: 0, do: "failure" },
      { at: 50, do: "request", expect: { retryAfterMs: 50 } },
    ],
  },
];

/** Three failed requests at `at`: opens a breaker with the default options. */
function openAt(at: number): Step[] {
  return [0, 1, 2].flatMap((): Step[] => [
    { at, do: "request", expect: "allowed" },
    { at, do: "failure" },
  ]);
}

for (const scenario of scenarios) {
  Deno.test(`CircuitBreaker ${scenario.name}`, () => {
    let now = 0;
    const breaker = new CircuitBreaker({ ...fast, ...scenario.options, now: () => now });
    // Permits by recency: permit 0 is the latest one granted.
    const permits: CircuitPermit[] = [];
    for (const [index, step] of scenario.steps.entries()) {
      now = step.at;
      const where = `step ${index} (${step.do} at ${step.at})`;
      switch (step.do) {
        case "request": {
          const decision = breaker.tryAcquire();
          if (step.expect === "allowed" || step.expect === "trial") {
            assert.ok(decision.allowed, `${where}: expected a permit`);
            assert.equal(decision.permit.trial, step.expect === "trial", where);
            permits.unshift(decision.permit);
          } else {
            assert.deepEqual(decision, { allowed: false, retryAfterMs: step.expect.retryAfterMs }, where);
          }
          break;
        }
        case "success":
        case "failure":
        case "release": {
          const permit = permits[step.permit ?? 0];
          assert.ok(permit, `${where}: no permit`);
          if (step.do === "success") breaker.recordSuccess(permit);
          else if (step.do === "failure") breaker.recordFailure(permit);
          else breaker.release(permit);
          break;
        }
        case "reset":
          breaker.reset();
          break;
        case "state":
          assert.equal(breaker.state, step.expect, where);
          break;
      }
    }
  });
}

Deno.test("CircuitBreaker.retryAfterMs() counts down the cool-down and is 0 when closed", () => {
  let now = 0;
  const breaker = new CircuitBreaker({ now: () => now });
  assert.equal(breaker.retryAfterMs(), 0);
  for (let i = 0; i < 3; i++) {
    const decision = breaker.tryAcquire();
    assert.ok(decision.allowed);
    breaker.recordFailure(decision.permit);
  }
  now = 2_000;
  assert.equal(breaker.retryAfterMs(), 3_000);
  now = 5_000;
  assert.equal(breaker.retryAfterMs(), 0);
});

Deno.test("CircuitBreaker rejects options that cannot work", () => {
  const cases: CircuitBreakerOptions[] = [
    { failureThreshold: 0 },
    { failureThreshold: 1.5 },
    { coolDownMs: 0 },
    { coolDownMs: Number.NaN },
    { maxCoolDownMs: 1_000, coolDownMs: 5_000 },
    { trialTimeoutMs: -1 },
  ];
  for (const options of cases) {
    assert.throws(() => new CircuitBreaker(options), RangeError, JSON.stringify(options));
  }
});
