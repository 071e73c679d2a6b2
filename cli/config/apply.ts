// Applies a configuration file to the command about to run, below environment
// variables and flags: a value from the file is set only where commander says
// the option still has its default (or nothing), with the source 'config'.
// Precedence: defaults < file < MEDIA_TOOLKIT_* < flags.
import { InvalidArgumentError, type Command, type Option } from 'commander';
import { UsageError } from '../../lib/errors.js';
import { warn } from '../../lib/log.js';
import { boolArg, isRepeatable, markReplaceable } from '../options.js';
import { closest } from './levenshtein.js';
import { NOT_CONFIGURABLE, SECTIONS, TOP_LEVEL_ALIASES, attrFor, snakeCase, topLevelTarget, type KeyTarget } from './keys.js';
import type { ConfigFile } from './load.js';
import { durationSeconds } from '../../common/duration.js';

/** One key of the file with where it goes. */
export interface ConfigEntry {
  /** Dotted path as written in the file, e.g. `thresholds.size_threshold`. */
  path: string;
  value: unknown;
  target: KeyTarget;
}

/** For `config`: which key of the file set each option (attribute -> key path). */
export const configOrigins = new WeakMap<Command, Map<string, string>>();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function allCommands(program: Command): Command[] {
  return [program, ...program.commands];
}

function optionsFor(cmd: Command, attr: string): Option[] {
  return (cmd.options as Option[]).filter((o) => o.attributeName() === attr);
}

function hasOption(cmd: Command, attr: string): boolean {
  return !NOT_CONFIGURABLE.has(attr) && optionsFor(cmd, attr).length > 0;
}

/** The attribute a key sets on cmd (the root program counts as "media-toolkit"). */
function attrOn(cmd: Command, target: KeyTarget): string | undefined {
  return attrFor(target, cmd.name(), (a) => hasOption(cmd, a));
}

/** Every top-level key the program knows: option names in snake_case, aliases and sections. */
export function knownTopLevelKeys(program: Command): Set<string> {
  const keys = new Set<string>([...Object.keys(SECTIONS), ...Object.keys(TOP_LEVEL_ALIASES)]);
  for (const cmd of allCommands(program)) {
    for (const o of cmd.options as Option[]) {
      const attr = o.attributeName();
      if (!NOT_CONFIGURABLE.has(attr)) keys.add(snakeCase(attr));
    }
  }
  return keys;
}

function unknownKey(file: ConfigFile, path: string, key: string, candidates: Iterable<string>, prefix: string): UsageError {
  const guess = closest(key, candidates);
  const hint = guess ? ` (did you mean "${prefix}${guess}"?)` : '';
  return new UsageError(`configuration file ${file.path}: unknown key "${path}"${hint}`);
}

/** Every key of the file with its target; throws on an unknown key or a section that is not a mapping. */
export function configEntries(file: ConfigFile, program: Command): ConfigEntry[] {
  const known = knownTopLevelKeys(program);
  const entries: ConfigEntry[] = [];
  for (const [key, value] of Object.entries(file.data)) {
    const section = SECTIONS[key];
    if (section) {
      if (value === null || value === undefined) continue;
      if (!isPlainObject(value)) throw new UsageError(`configuration file ${file.path}: "${key}" must be a mapping of keys to values`);
      for (const [sub, subValue] of Object.entries(value)) {
        const target = section[sub];
        if (!target) throw unknownKey(file, `${key}.${sub}`, sub, Object.keys(section), `${key}.`);
        entries.push({ path: `${key}.${sub}`, value: subValue, target });
      }
      continue;
    }
    if (!known.has(key)) throw unknownKey(file, key, key, known, '');
    entries.push({ path: key, value, target: topLevelTarget(key) });
  }
  return entries;
}

function describeType(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'a mapping';
  return JSON.stringify(v);
}

/** Converts a file value to what the option holds, through the option's own parser (and choices). */
function optionValue(cmd: Command, attr: string, entry: ConfigEntry, file: ConfigFile): unknown {
  const opts = optionsFor(cmd, attr);
  const opt = opts.find((o) => !o.negate) ?? opts[0];
  const where = `configuration file ${file.path}: ${entry.path}`;
  const v = entry.value;
  const takesValue = opt.required || opt.optional;
  if (!takesValue) {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' || typeof v === 'number') {
      try {
        return boolArg(String(v));
      } catch {
        /* fall through to the error */
      }
    }
    throw new UsageError(`${where}: expected true or false, got ${describeType(v)}`);
  }
  if (opt.optional && typeof v === 'boolean') return v;
  let text: string;
  if (Array.isArray(v)) {
    if (!v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) throw new UsageError(`${where}: expected a list of plain values`);
    // A repeatable option (--header, --exclude): each element is one use, so commas inside an element stay.
    if (isRepeatable(opt.parseArg)) {
      try {
        return v.reduce<unknown>((prev, x) => opt.parseArg!(String(x), prev as never), undefined);
      } catch (err) {
        throw new UsageError(`${where}: ${(err as Error).message}`);
      }
    }
    text = v.join(',');
  } else if (['string', 'number', 'boolean'].includes(typeof v)) {
    text = String(v);
  } else {
    throw new UsageError(`${where}: expected a value for --${opt.long?.replace(/^--(no-)?/, '')}, got ${describeType(v)}`);
  }
  if (!opt.parseArg) return text;
  // The reference config.yaml writes some seconds as durations (connection_close_delay: 15s).
  const seconds = /<seconds>/i.test(opt.flags) && typeof v === 'string' ? durationSeconds(v) : undefined;
  if (seconds !== undefined && !/^\s*[\d.]+\s*$/.test(text)) text = String(seconds);
  try {
    return opt.parseArg(text, undefined as unknown as never);
  } catch (err) {
    if (err instanceof InvalidArgumentError || err instanceof Error) {
      const forCmd = cmd.parent ? ` (for ${cmd.name()} --${opt.long?.replace(/^--(no-)?/, '')})` : '';
      const got = err.message.includes(text) ? '' : ` (got "${text}")`;
      throw new UsageError(`${where}: ${err.message}${got}${forCmd}`);
    }
    throw err;
  }
}

function logLevel(entry: ConfigEntry, file: ConfigFile): { verbose?: boolean; quiet?: boolean } {
  const v = String(entry.value).toLowerCase();
  if (v === 'debug' || v === 'trace') return { verbose: true };
  if (v === 'warn' || v === 'warning' || v === 'error') return { quiet: true };
  if (v === 'info') return {};
  throw new UsageError(`configuration file ${file.path}: ${entry.path}: expected debug, info, warn or error, got ${describeType(entry.value)}`);
}

/**
 * Checks every key's value against one command that takes it, so a bad value is
 * reported whichever subcommand runs.
 */
export function validateEntries(entries: ConfigEntry[], file: ConfigFile, program: Command): void {
  for (const entry of entries) {
    if (entry.path === 'logging.level') {
      logLevel(entry, file);
      continue;
    }
    if (entry.value === null || entry.value === undefined) continue;
    for (const cmd of allCommands(program)) {
      const attr = attrOn(cmd, entry.target);
      if (attr) {
        optionValue(cmd, attr, entry, file);
        break;
      }
    }
  }
}

/** What the file sets on one command: attribute -> value and key, the more specific key winning. */
export function valuesFor(cmd: Command, entries: ConfigEntry[], file: ConfigFile): Map<string, { value: unknown; path: string; priority: number }> {
  const out = new Map<string, { value: unknown; path: string; priority: number }>();
  for (const entry of entries) {
    if (entry.value === null || entry.value === undefined) continue;
    if (entry.path === 'logging.level') {
      if (!cmd.parent) {
        for (const [attr, value] of Object.entries(logLevel(entry, file))) out.set(attr, { value, path: entry.path, priority: entry.target.priority });
      }
      continue;
    }
    const attr = attrOn(cmd, entry.target);
    if (!attr) continue;
    const prev = out.get(attr);
    if (prev && prev.priority > entry.target.priority) continue;
    out.set(attr, { value: optionValue(cmd, attr, entry, file), path: entry.path, priority: entry.target.priority });
  }
  return out;
}

/** Sets file values on cmd where the option has no value or only its default. */
export function applyValues(cmd: Command, values: Map<string, { value: unknown; path: string }>): void {
  const origins = configOrigins.get(cmd) ?? new Map<string, string>();
  for (const [attr, { value, path }] of values) {
    const source = cmd.getOptionValueSource(attr);
    if (source !== undefined && source !== 'default') continue;
    cmd.setOptionValueWithSource(attr, markReplaceable(value), 'config');
    origins.set(attr, path);
  }
  configOrigins.set(cmd, origins);
}

// One notice per key per process (`config` parses a second time).
const warned = new Set<string>();

/** Validates the whole file, then applies it to the program's own options and to the subcommand about to run. */
export function applyConfig(file: ConfigFile, program: Command, sub: Command): void {
  const entries = configEntries(file, program);
  validateEntries(entries, file, program);
  for (const e of entries) {
    const id = `${file.path}:${e.path}`;
    if (e.target.ignored && !warned.has(id)) {
      warned.add(id);
      warn(`${file.path}: ${e.path} is accepted but not used: ${e.target.ignored}`);
    }
  }
  applyValues(program, valuesFor(program, entries, file));
  applyValues(sub, valuesFor(sub, entries, file));
}
