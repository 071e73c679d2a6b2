// The effective configuration of one command as a table or JSON, secrets masked.
import type { Command, Option } from 'commander';
import { redactHeader, redactText, redactUrl } from '../../common/redact.js';
import { configOrigins } from './apply.js';

const SECRET_NAME = /key|secret|token|password|credential/i;
export const MASK = '********';

export interface EffectiveOption {
  flag: string;
  attribute: string;
  value: unknown;
  /** default, config, env, cli, implied, or unset. */
  source: string;
  /** The file key (config) or variable (env) it came from. */
  from?: string;
}

/** Masks anything named like a secret, and signed query strings or credentials inside values. */
export function maskValue(attr: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_NAME.test(attr)) return MASK;
  // --header 'Authorization: Bearer ...', 'Cookie: ...', 'X-Api-Key: ...': the value goes, the name stays.
  if (/headers?$/i.test(attr)) return Array.isArray(value) ? value.map((v) => redactHeader(String(v))) : redactHeader(String(value));
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : redactText(value);
  if (Array.isArray(value)) return value.map((v) => maskValue(attr, v));
  return value;
}

export function effectiveOptions(cmd: Command): EffectiveOption[] {
  const seen = new Set<string>();
  const origins = configOrigins.get(cmd);
  const out: EffectiveOption[] = [];
  for (const o of cmd.options as Option[]) {
    const attr = o.attributeName();
    if (seen.has(attr) || attr === 'help') continue;
    seen.add(attr);
    // Show the positive flag of a --x/--no-x pair.
    const positive = (cmd.options as Option[]).find((p) => p.attributeName() === attr && !p.negate) ?? o;
    const value = cmd.getOptionValue(attr);
    const source = cmd.getOptionValueSource(attr) ?? (value === undefined ? 'unset' : 'default');
    const from = source === 'config' ? origins?.get(attr) : source === 'env' ? positive.envVar ?? o.envVar : undefined;
    out.push({ flag: positive.long ?? positive.flags, attribute: attr, value: maskValue(attr, value), source, ...(from ? { from } : {}) });
  }
  return out;
}

function show(value: unknown): string {
  if (value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function formatTable(rows: EffectiveOption[]): string {
  const cells = rows.map((r) => [r.flag, show(r.value), r.from ? `${r.source} (${r.from})` : r.source]);
  const head = ['option', 'value', 'from'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  ');
  return [line(head), ...cells.map(line)].join('\n');
}
