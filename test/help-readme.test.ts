// `media-toolkit <cmd> --help` and the README say the same: every flag a command's
// --help shows is mentioned in the README for that command, and every flag the README
// gives a command exists in its --help. Mentions are attributed to a command by the
// code line they are on (`media-toolkit prewarm ... --x`, or `prewarm --x` in a code
// span) and otherwise by the "### <command>" section they are in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { buildProgram } from '../cli/main.js';
import { ROOT, runCli } from './helpers/cli.js';

const program = buildProgram();
const commands = program.commands.filter((c) => c.name() !== 'help');
const names = commands.map((c) => c.name());

/** The long flags --help prints for a command (hidden ones excluded), in the README's spelling. */
function helpFlags(cmd: Command): string[] {
  return (cmd.createHelp().visibleOptions(cmd) as Option[]).map((o) => o.long).filter((f): f is string => Boolean(f) && f !== '--help' && f !== '--version');
}

// Folded spellings: --stage1-users .. --stage5-duration (and the literal --stageN-users) are one
// pair of flags, --skip-<stage> is the five --skip-... flags.
function fold(flag: string): string {
  return flag.replace(/^--stage[1-5N]-/, '--stageN-').replace(/^--skip-(analysis|optimize|purge|prewarm|verify|errors|loadtest|<stage>)$/, '--skip-<stage>');
}

/** `--x` and `--no-x` mention the same option. */
function base(flag: string): string {
  return fold(flag).replace(/^--no-/, '--');
}

// Flags of other programs the README quotes: k6's (after `--` or `k6 run`), rclone's.
const FOREIGN = new Set(['--out', '--quiet', '--execution-segment', '--execution-segment-sequence', '--files-only', '--no-mimetype', '--use-server-modtime', '--with', '--headless', '--ignore-scripts']);

const FLAG = /--(?:stageN-[a-z]+|[a-z0-9][a-z0-9-]*(?:<stage>|\*)?)/g;

interface Mention {
  command: string;
  flag: string;
  line: number;
}

/** Every flag mention in the README with the command it belongs to ('' = global). */
function readmeMentions(text: string): Mention[] {
  const out: Mention[] = [];
  let section = '#top';
  let inCode = false;
  let codeCommand = '';
  const lines = text.split('\n');
  const commandAt = (s: string): string | undefined => {
    // `media-toolkit [--config F] config prewarm --retry 3` shows prewarm's flags.
    const words = s.replace(/--config\s+\S+/, '').split(/[\s`$(]+/).filter((w) => w && w !== 'npx' && w !== 'media-toolkit' && !w.endsWith('media-toolkit.js') && w !== 'node');
    let i = 0;
    while (i < words.length && /^[A-Za-z_0-9]+=/.test(words[i])) i++; // VAR=value before the command
    if (i >= words.length || !names.includes(words[i])) return undefined;
    if (words[i] === 'config' && names.includes(words[i + 1] ?? '')) return words[i + 1];
    return words[i];
  };
  lines.forEach((line, i) => {
    if (/^```/.test(line)) {
      inCode = !inCode;
      codeCommand = '';
      return;
    }
    const h = /^(#{2,3})\s+(.*)$/.exec(line);
    if (h && !inCode) {
      // "### prewarm", "### merge and scale-out", "### Configuration files: `--config` and `config`"
      const first = /^`?([a-z]+)`?/.exec(h[2])?.[1] ?? '';
      const quoted = [...h[2].matchAll(/`([a-z]+)`/g)].map((m) => m[1]).find((w) => names.includes(w));
      const word = names.includes(first) ? first : quoted;
      section = h[2].startsWith('Global') ? '' : h[1] === '###' && word ? word : `#${h[2]}`;
      return;
    }
    const add = (command: string, s: string) => {
      // After a bare `--` the arguments are k6's own.
      const k6At = s.search(/(^|\s)--(\s|$)/);
      for (const m of s.matchAll(FLAG)) {
        if (k6At >= 0 && m.index! > k6At) continue;
        out.push({ command, flag: m[0], line: i + 1 });
      }
    };
    if (inCode) {
      if (/^\s*(\$\s*)?(k6|rclone|curl|docker|chromium|npm|go)\s/.test(line) || /^\s*#/.test(line)) {
        codeCommand = /\\\s*$/.test(line) ? 'foreign' : '';
        return;
      }
      const c = /media-toolkit/.test(line) ? commandAt(line.slice(line.indexOf('media-toolkit'))) : undefined;
      if (c) codeCommand = c;
      if (codeCommand === 'foreign') {
        if (!/\\\s*$/.test(line)) codeCommand = '';
        return;
      }
      if (codeCommand) add(codeCommand, line);
      if (!/\\\s*$/.test(line)) codeCommand = '';
      return;
    }
    // Prose: a code span that starts with a command name belongs to it; the rest to the section.
    let rest = line;
    for (const span of line.match(/`[^`]*`/g) ?? []) {
      const inner = span.slice(1, -1);
      if (/^(k6|rclone|npm|go|curl)\s/.test(inner)) {
        rest = rest.replace(span, '');
        continue;
      }
      const c = commandAt(` ${inner} `);
      if (c && !inner.trimStart().startsWith('-')) {
        add(c, inner);
        rest = rest.replace(span, '');
      }
    }
    if (!section.startsWith('#')) add(section, rest);
  });
  return out;
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const mentions = readmeMentions(readme);
const globalFlags = helpFlags(program);

describe('--help and the README say the same', () => {
  it.each(names)('%s: every flag of --help is in the README, and every flag the README gives it exists', (name) => {
    const cmd = commands.find((c) => c.name() === name)!;
    // A command's subcommands (loadtest compare, loadtest merge) are documented in its section.
    const subs = cmd.commands.filter((c) => c.name() !== 'help');
    const flags = [...new Set([...helpFlags(cmd), ...subs.flatMap(helpFlags)])];
    const said = new Set(mentions.filter((m) => m.command === name).map((m) => base(m.flag)));
    const unmentioned = flags.filter((f) => !said.has(base(f)));
    expect(unmentioned, `${name} --help shows these flags the README does not mention for ${name}`).toEqual([]);
    // Hidden flags (older names) are real too: the README may name them.
    const known = new Set([...[cmd, ...subs].flatMap((c) => (c.options as Option[]).map((o) => o.long ?? '')), ...globalFlags].map(base));
    // `--optimize-*` names a family: some flag must start so.
    const exists = (f: string) => (f.endsWith('*') ? [...known].some((k) => k.startsWith(f.slice(0, -1))) : known.has(base(f)));
    const unknown = mentions
      .filter((m) => m.command === name && !exists(m.flag) && !FOREIGN.has(m.flag))
      .map((m) => `README.md:${m.line}: ${m.flag}`);
    expect(unknown, `the README gives ${name} flags its --help does not have`).toEqual([]);
  });

  it('global flags: --help shows each, the README\'s Global behaviour section mentions each, and they are real', () => {
    const said = new Set(mentions.filter((m) => m.command === '').map((m) => base(m.flag)));
    expect(globalFlags.filter((f) => !said.has(base(f)))).toEqual([]);
  });

  it('--help prints what the program declares (the text the test reads is the one users see)', async () => {
    const r = await runCli(['prewarm', '--help']);
    expect(r.code).toBe(0);
    for (const f of helpFlags(commands.find((c) => c.name() === 'prewarm')!)) expect(r.stdout).toContain(f);
  });
});
