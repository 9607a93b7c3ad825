/**
 * `move`: move a tenant's rows and routing to another data source, with a progress bar per table and a
 * final verification table; and the rest of a move's life (`--resume`, `--rollback`, `--finalize`,
 * `--status`).
 *
 * @module
 */
import { defineCommand } from "citty";
import cliProgress from "cli-progress";
import {
  createMove,
  finalizeMove,
  getMove,
  MoveError,
  type MoveEvent,
  type MoveOptions,
  type MoveView,
  planMove,
  rollbackMove,
  runMove,
} from "../../../functions/_shared/moves/mod.ts";
import { DB_URL_ARG, JSON_ARG } from "../args.ts";
import { CommandFailed } from "../command_failed.ts";
import { withContext } from "../context.ts";
import { printJson, renderRecord, renderTable } from "../output.ts";
import { UsageError } from "../usage_error.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `npm run tenants -- move <slug> --to <data-source> [--dry-run]`, `move --resume|--rollback|--finalize|
 * --status <id>`. Exit 0 when the step succeeded (done, rolled back, finalized), 1 when it failed or was
 * refused, 2 on bad usage.
 */
export const moveCommand = defineCommand({
  meta: {
    name: "tenants move",
    description: "Move a tenant's rows and routing to another data source while it keeps working; " +
      "or resume, roll back, finalize or show a move",
  },
  args: {
    slug: { type: "positional", required: false, description: "Tenant slug or id (to start a move)" },
    to: { type: "string", description: "Data source to move to (name or id, or default)", valueHint: "name" },
    "dry-run": { type: "boolean", description: "Only show the plan: tables in copy order and row counts" },
    resume: { type: "string", description: "Resume a failed or interrupted move", valueHint: "move id" },
    rollback: {
      type: "string",
      description: "Roll a move back (switch back while the source rows exist)",
      valueHint: "move id",
    },
    finalize: { type: "string", description: "Purge the source rows of a done move", valueHint: "move id" },
    status: { type: "string", description: "Show a move and its tables", valueHint: "move id" },
    "batch-rows": { type: "string", description: "Rows per copy batch (default 50000)", valueHint: "n" },
    concurrency: { type: "string", description: "Tables worked on at once (default 4)", valueHint: "n" },
    ...JSON_ARG,
    ...DB_URL_ARG,
  },
  async run({ args }) {
    const ids = {
      resume: args.resume,
      rollback: args.rollback,
      finalize: args.finalize,
      status: args.status,
    };
    const given = Object.entries(ids).filter(([, value]) => value !== undefined);
    const starting = args.slug !== undefined || args.to !== undefined;
    if (given.length + (starting ? 1 : 0) !== 1) {
      throw new UsageError("Give a tenant and --to, or one of --resume, --rollback, --finalize, --status");
    }
    if (starting && (args.slug === undefined || args.to === undefined)) {
      throw new UsageError("Give both the tenant and --to <data-source>");
    }
    if (args["dry-run"] && !starting) throw new UsageError("--dry-run only applies to starting a move");
    const [mode, id] = given[0] ?? ["start", undefined];
    if (id !== undefined && !UUID.test(id)) throw new UsageError(`--${mode} needs a move id (a uuid)`);
    const tuning = {
      batchRows: positiveInteger(args["batch-rows"], "--batch-rows"),
      concurrency: positiveInteger(args.concurrency, "--concurrency"),
    };

    await withContext({ dbUrl: args["db-url"] }, async (context) => {
      try {
        if (mode === "status") return report(await getMove(context.sql, id!), { json: args.json === true });
        const keyring = await context.keyring();
        if (args["dry-run"]) {
          const plan = await planMove(context.sql, { keyring, tenant: args.slug!, to: args.to! });
          if (args.json) return printJson(plan);
          console.log(
            `Plan: ${plan.tenant} from ${plan.source} to ${plan.target} (schema ${plan.target_schema_version})`,
          );
          console.log(renderTable(
            ["#", "table", "level", "references", "rows", "already at target"],
            plan.tables.map((t) => [t.ordinal + 1, t.table, t.level, t.references, t.rows, t.target_rows]),
          ));
          console.log(
            `${plan.rows} rows in ${plan.tables.length} tables would be copied (dry run: nothing changed)`,
          );
          return;
        }
        const progress = new Progress(args.json === true);
        const options: MoveOptions = {
          keyring,
          claims: context.claims,
          onEvent: (event) => progress.event(event),
          ...(tuning.batchRows === undefined ? {} : { batchRows: tuning.batchRows }),
          ...(tuning.concurrency === undefined ? {} : { concurrency: tuning.concurrency }),
        };
        let move: MoveView;
        try {
          if (mode === "start") {
            const created = await createMove(context.sql, {
              keyring,
              claims: context.claims,
              tenant: args.slug!,
              to: args.to!,
            });
            console.error(
              `Move ${created.id}: ${created.tenant} from ${created.source} to ${created.target}`,
            );
            progress.tables(created);
            move = await runMove(context.sql, { ...options, moveId: created.id });
          } else if (mode === "resume") {
            const before = await getMove(context.sql, id!);
            console.error(
              `Resuming move ${before.id}: ${before.tenant} from ${before.source} to ${before.target}`,
            );
            progress.tables(before);
            move = await runMove(context.sql, { ...options, moveId: id! });
          } else if (mode === "rollback") {
            console.error(`Rolling back move ${id}`);
            move = await rollbackMove(context.sql, { ...options, moveId: id! });
          } else {
            console.error(`Finalizing move ${id}`);
            move = await finalizeMove(context.sql, { ...options, moveId: id! });
          }
        } finally {
          progress.stop();
        }
        report(move, { json: args.json === true });
        const wanted =
          { start: "done", resume: "done", rollback: "rolled_back", finalize: "finalized" }[mode];
        if (move.status !== wanted) {
          throw new CommandFailed(move.error ?? `The move is ${move.status}`);
        }
      } catch (error) {
        if (!(error instanceof MoveError)) throw error;
        console.error(`Error: ${error.message}`);
        if (error.hint !== null) console.error(`Hint: ${error.hint}`);
        throw new CommandFailed("");
      }
    });
  },
});

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new UsageError(`${flag} must be a positive whole number`);
  return Number(value);
}

/** ` 12,345 rows/s, 8 s left` while a table copies and its speed is known. */
function pace(event: Extract<MoveEvent, { kind: "table" }>): string {
  if (event.status !== "copying" || event.rowsPerSecond === undefined) return "";
  const left = event.etaSeconds === undefined ? "" : `, ${formatSeconds(event.etaSeconds)} left`;
  return ` ${event.rowsPerSecond.toLocaleString("en-US")} rows/s${left}`;
}

function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Prints the move: JSON, or a summary and the verification table. */
function report(move: MoveView, options: { json: boolean }): void {
  if (options.json) return printJson(move);
  console.log(renderRecord({
    move: move.id,
    tenant: move.tenant,
    from: move.source,
    to: move.target,
    status: move.status,
    error: move.error,
    "rows copied": move.rows_copied,
    "rows verified": move.rows_verified,
    "writes paused": move.frozen_ms === null ? null : `${move.frozen_ms} ms`,
    switched: move.switched_at,
    timings: summarizeTimings(move.timings),
  }));
  console.log(renderTable(
    [
      "table",
      "copied",
      "rows/s",
      "left",
      "source rows",
      "target rows",
      "source checksum",
      "target checksum",
      "verified",
    ],
    move.tables.map((t) => [
      t.table,
      t.rows_copied,
      t.rows_per_second,
      t.eta_seconds === null ? null : formatSeconds(t.eta_seconds),
      t.source_rows,
      t.target_rows,
      t.source_checksum,
      t.target_checksum,
      t.verified ? "yes" : t.status === "failed" ? "MISMATCH" : "-",
    ]),
  ));
}

function summarizeTimings(timings: Record<string, unknown>): string {
  return Object.entries(timings)
    .filter(([, value]) => typeof value === "number" || typeof value === "string")
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
}

/** The part of cli-progress's bar this command uses (the package ships no types). */
interface Bar {
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
}

/** The part of cli-progress's MultiBar this command uses. */
interface Bars {
  create(total: number, start: number, payload: Record<string, unknown>): Bar;
  log(text: string): void;
  stop(): void;
}

/** Progress bars per table on a terminal; plain lines otherwise (logs, pipes, tests). */
class Progress {
  #bars: Bars | undefined;
  #rows = new Map<string, Bar>();
  #tty: boolean;
  #quiet: boolean;
  #done = new Set<string>();

  constructor(quiet: boolean) {
    this.#quiet = quiet;
    this.#tty = Deno.stderr.isTerminal();
    if (this.#tty && !quiet) {
      this.#bars = new cliProgress.MultiBar({
        format: "{table} |{bar}| {value}/{total} rows {state}{pace}",
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
      }, cliProgress.Presets.shades_classic) as Bars;
    }
  }

  /** Creates one bar per table of the move. */
  tables(move: MoveView): void {
    if (this.#bars === undefined) return;
    for (const table of move.tables) {
      this.#bar(table.table, table.rows_total ?? 0).update(table.rows_copied, {
        state: table.status,
        pace: "",
      });
    }
  }

  event(event: MoveEvent): void {
    if (this.#quiet) return;
    if (event.kind === "phase") {
      if (this.#bars) this.#bars.log(`${event.message}\n`);
      else console.error(event.message);
      return;
    }
    if (this.#bars) {
      const bar = this.#bar(event.table, event.rowsTotal ?? 0);
      bar.setTotal(Math.max(event.rowsTotal ?? 0, event.rowsCopied));
      bar.update(event.rowsCopied, { state: event.status, pace: pace(event) });
    } else if (event.status === "copied" && !this.#done.has(event.table)) {
      this.#done.add(event.table);
      console.error(`  ${event.table}: ${event.rowsCopied} rows copied`);
    }
  }

  stop(): void {
    this.#bars?.stop();
  }

  #bar(table: string, total: number): Bar {
    let bar = this.#rows.get(table);
    if (bar === undefined) {
      bar = this.#bars!.create(total, 0, { table, state: "pending", pace: "" });
      this.#rows.set(table, bar);
    }
    return bar;
  }
}
