/**
 * Runs the operator CLI's citty command tree with the project's exit codes: 0 success, 1 the
 * operation failed or a check found a problem, 2 bad usage. citty itself accepts unknown flags and
 * exits 1 on usage errors; this runner refuses unknown options, missing values and surplus arguments
 * before anything runs, and maps every usage error to 2.
 *
 * @module
 */
import { type ArgsDef, type CommandDef, renderUsage, runCommand } from "citty";
import { AdminError, redactSecrets } from "../../functions/_shared/control_plane/mod.ts";
import { CommandFailed } from "./command_failed.ts";
import { UsageError } from "./usage_error.ts";

/** Exit codes of the CLI (CONTRACT.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Options of {@linkcode runCli}. */
export interface RunCliOptions {
  /** Where messages and usage go; default `console.error`. */
  error?: ((line: string) => void) | undefined;
  /** Where `--help` goes; default `console.log`. */
  out?: ((line: string) => void) | undefined;
}

// deno-lint-ignore no-explicit-any
type AnyCommand = CommandDef<any>;

/**
 * Runs `root` with `rawArgs` and returns the exit code; never exits the process itself.
 *
 * @example
 * ```ts
 * Deno.exit(await runCli(main, Deno.args));
 * ```
 */
export async function runCli(
  root: AnyCommand,
  rawArgs: string[],
  options: RunCliOptions = {},
): Promise<number> {
  const error = options.error ?? console.error;
  const out = options.out ?? console.log;
  const resolved = await resolveCommand(root, rawArgs);
  if (rawArgs.some((arg) => arg === "--help" || arg === "-h")) {
    out(await renderUsage(resolved.command));
    return EXIT.ok;
  }
  try {
    await checkArgs(resolved.command, resolved.rest);
    await runCommand(root, { rawArgs });
    return EXIT.ok;
  } catch (caught) {
    if (caught instanceof UsageError || (caught instanceof Error && caught.name === "CLIError")) {
      error(await renderUsage(resolved.command));
      error("");
      error(`Error: ${caught.message}`);
      return EXIT.usage;
    }
    if (caught instanceof CommandFailed) {
      if (caught.message !== "") error(`Error: ${caught.message}`);
      return EXIT.failed;
    }
    if (caught instanceof AdminError) {
      error(`Error: ${caught.message}`);
      if (caught.hint !== null) error(`Hint: ${caught.hint}`);
      return caught.code === "TR600" || caught.code === "TR603" ? EXIT.usage : EXIT.failed;
    }
    const message = caught instanceof Error ? caught.message : String(caught);
    error(`Error: ${redactSecrets(message)}`);
    return EXIT.failed;
  }
}

interface Resolved {
  command: AnyCommand;
  /** The arguments after the command's name. */
  rest: string[];
}

/** Follows subcommand names as citty does, to find the command that will run. */
async function resolveCommand(root: AnyCommand, rawArgs: string[]): Promise<Resolved> {
  let command = root;
  let rest = rawArgs;
  while (true) {
    const subCommands = await resolveValue(command.subCommands);
    if (!subCommands || Object.keys(subCommands).length === 0) break;
    const defs = (await resolveValue(command.args)) ?? {};
    const index = rest.findIndex((arg, i) => !arg.startsWith("-") && !takesValue(defs, rest[i - 1]));
    const name = index < 0 ? undefined : rest[index];
    const sub = name !== undefined && Object.hasOwn(subCommands, name)
      ? await resolveValue(subCommands[name])
      : undefined;
    if (sub === undefined) break;
    command = sub as AnyCommand;
    rest = rest.slice(index + 1);
  }
  return { command, rest };
}

/** Refuses unknown options, options without their value, and surplus positional arguments. */
async function checkArgs(command: AnyCommand, rest: string[]): Promise<void> {
  const defs: ArgsDef = (await resolveValue(command.args)) ?? {};
  const byName = new Map<string, ArgsDef[string]>();
  if (await resolveValue(command.subCommands)) return; // citty reports unknown commands itself.
  for (const [name, def] of Object.entries(defs)) {
    const aliases = "alias" in def && def.alias !== undefined ? [def.alias].flat() : [];
    for (const key of [name, kebab(name), ...aliases]) byName.set(key, def);
  }
  let positionals = 0;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--") {
      positionals += rest.length - i - 1;
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      positionals++;
      continue;
    }
    const [flag = "", inline] = arg.replace(/^-{1,2}/, "").split(/=(.*)/s, 2);
    let def = byName.get(flag);
    if (def === undefined && flag.startsWith("no-")) def = byName.get(flag.slice(3));
    if (def === undefined || def.type === "positional") {
      throw new UsageError(`Unknown option ${arg.split("=")[0]}`);
    }
    if ((def.type === "string" || def.type === "enum") && inline === undefined) {
      const next = rest[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-" && !/^-\d/.test(next))) {
        throw new UsageError(`Option --${flag} needs a value`);
      }
      i++;
    }
  }
  const expected = Object.values(defs).filter((def) => def.type === "positional").length;
  if (positionals > expected) {
    throw new UsageError(
      expected === 0 ? "This command takes no arguments" : `Too many arguments: expected at most ${expected}`,
    );
  }
}

function takesValue(defs: ArgsDef, previous: string | undefined): boolean {
  if (previous === undefined || !previous.startsWith("-") || previous.includes("=")) return false;
  const def = defs[previous.replace(/^-{1,2}/, "")];
  return def?.type === "string" || def?.type === "enum";
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

async function resolveValue<T>(
  value: T | Promise<T> | (() => T | Promise<T>) | undefined,
): Promise<T | undefined> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}
