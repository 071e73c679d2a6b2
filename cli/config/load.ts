// Reads a configuration file (YAML or JSON) into a plain object, with errors
// that name the file and the line.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { lazyRequire } from '../../lib/lazy-require.js';

const yaml = lazyRequire<typeof import('yaml')>('yaml');
import { UsageError } from '../../lib/errors.js';

export interface ConfigFile {
  /** Absolute path of the file. */
  path: string;
  data: Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos ? lineColumn(text, Number(pos[1])) : undefined;
    const at = where ? ` at line ${where.line}, column ${where.column}` : '';
    throw new UsageError(`configuration file ${path}: invalid JSON${at}: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

function parseYaml(text: string, path: string): unknown {
  const doc = yaml().parseDocument(text, { uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    // With prettyErrors the message carries "at line L, column C:" and a code excerpt; keep the reason only.
    const reason = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '');
    throw new UsageError(`configuration file ${path}: invalid YAML${at}: ${reason}`);
  }
  return doc.toJS();
}

/** Parses configuration text; `.json` files as JSON, everything else as YAML. */
export function parseConfigText(text: string, path: string): Record<string, unknown> {
  const data = extname(path).toLowerCase() === '.json' ? parseJson(text, path) : parseYaml(text, path);
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) throw new UsageError(`configuration file ${path}: the top level must be a mapping of keys to values`);
  return data;
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`configuration file ${abs}: ${code === 'ENOENT' ? 'not found' : (err as Error).message}`);
  }
  return { path: abs, data: parseConfigText(text, abs) };
}
