/**
 * Memory of processes from `/proc` (Linux), so the load benchmark can tell whether the functions server's
 * resident set stays flat under sustained load or keeps growing (a leak shows as steady growth after
 * warm-up).
 *
 * @module
 */

/** Resident set size (`VmRSS` of `/proc/<pid>/status`) in KiB; `NaN` when the process is gone. */
export function rssKb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The process that serves requests, given the pid in a pid file: the process itself when it is Deno (the
 * stack's `sh -c 'exec deno …'` becomes Deno), else its first Deno descendant (a wrapper that forked).
 */
export function servingPid(pid: number): number {
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.shift() as number;
    if (command(current) === "deno") return current;
    pending.push(...children(current));
  }
  throw new Error(`No Deno process at or under pid ${pid}`);
}

function command(pid: number): string | undefined {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`);
    return text.split(" ").filter((s) => s.trim() !== "").map(Number);
  } catch {
    return [];
  }
}
