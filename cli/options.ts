// Option parsers shared by the subcommands. A bad value is a usage error
// (commander reports it in one line and main.ts exits 2).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { normalizeDuration } from '../common/duration.js';
import { UsageError } from '../lib/errors.js';
import { redactHeader } from '../common/redact.js';

export function intArg(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^[-+]?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`must be at least ${min}, got ${n}`);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max}, got ${n}`);
    return n;
  };
}

export function floatArg(min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
    if (n < min) throw new InvalidArgumentError(`must be at least ${min}, got ${n}`);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max}, got ${n}`);
    return n;
  };
}

/** A k6-style duration ("30s", "2m", "1m30s"; a bare number is seconds, written back as "Ns"). */
export function durationArg(value: string): string {
  const v = normalizeDuration(value);
  if (v === undefined) throw new InvalidArgumentError(`expected a duration like 30s, 2m or 1m30s, got "${value}"`);
  return v;
}

/** Comma-separated list, blanks dropped: "a, b,,c" -> [a, b, c]. */
export function listArg(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

// Values a configuration file or a MEDIA_TOOLKIT_* variable set: a repeatable flag replaces
// them instead of adding to them (flags win over the file and the environment).
const lowerPrecedence = new WeakSet<object>();

/** Marks a value set from the file or the environment (see repeatable). */
export function markReplaceable<T>(value: T): T {
  if (Array.isArray(value)) lowerPrecedence.add(value);
  return value;
}

/**
 * Parser of a repeatable option whose every use adds values (--exclude, --header):
 * uses on the command line add up; a value from the file or the environment is replaced.
 */
export function repeatable(parse: (value: string) => string[]) {
  const parser = (value: string, previous?: string[]): string[] =>
    previous && !lowerPrecedence.has(previous) ? [...previous, ...parse(value)] : parse(value);
  repeatableParsers.add(parser);
  return parser;
}

const repeatableParsers = new WeakSet<object>();

/** True for a parser made by repeatable(): a list in a config file is one use per element. */
export function isRepeatable(parser: unknown): boolean {
  return typeof parser === 'function' && repeatableParsers.has(parser);
}

/** Booleans that read naturally from flags, env and config: true/false/yes/no/1/0. */
export function boolArg(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

export function choiceOption(flags: string, description: string, choices: readonly string[], defaultValue?: string): Option {
  const o = new Option(flags, description).choices(choices as string[]);
  if (defaultValue !== undefined) o.default(defaultValue);
  return o;
}

/** MEDIA_TOOLKIT_<OPTION_NAME> for an option's attribute name: baseUrl -> MEDIA_TOOLKIT_BASE_URL. */
export function envNameFor(attributeName: string): string {
  return `MEDIA_TOOLKIT_${attributeName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/**
 * Every option of every command can also come from MEDIA_TOOLKIT_<OPTION_NAME>.
 * This only names the variable (commander shows "(env: ...)" in --help); commander
 * listens for a variable only when it is named as the option is added, so
 * applyEnv (cli/config/env.ts) is what reads them, in main.ts's hooks.
 */
export function applyEnvVars(cmd: Command): void {
  for (const opt of cmd.options as Option[]) {
    if (opt.envVar || opt.negate || opt.long === '--help' || opt.long === '--version') continue;
    opt.env(envNameFor(opt.attributeName()));
  }
  for (const sub of cmd.commands) applyEnvVars(sub);
}

/** --header values ("Name: value", repeatable) as a map of lower-case names; a value without a colon is a usage error. */
export function parseHeaders(list: string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const h of list) {
    const at = h.indexOf(':');
    if (at <= 0) throw new UsageError(`--header "${redactHeader(h)}" is not "Name: value"`);
    out[h.slice(0, at).trim().toLowerCase()] = h.slice(at + 1).trim();
  }
  return out;
}
