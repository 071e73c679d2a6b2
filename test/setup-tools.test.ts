// scripts/setup-tools.sh fails fast: a missing ffmpeg is reported before any Go build starts,
// and `npm run demo` (--k6-only) never builds the S3 test server. Run on a copy of the script
// with a PATH of stand-ins: a `go` that only records how it was called, an ffmpeg or not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';

let dir: string;
const pins = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).config as { k6Version: string; versitygwVersion: string };

/** Which system programs the script may use; everything else is a stand-in. */
const UTILS = ['bash', 'dirname', 'mkdir', 'cat', 'sed', 'sort', 'head', 'mktemp', 'rm', 'mv', 'env'];

function which(name: string): string {
  const r = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.stdout.trim();
}

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
}

/** A project copy with the script; bin/ holds the PATH. */
function project(name: string, opts: { ffmpeg: boolean; k6: boolean }): { root: string; goLog: string } {
  const root = join(dir, name);
  mkdirSync(join(root, 'scripts'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(ROOT, 'scripts', 'setup-tools.sh'), join(root, 'scripts', 'setup-tools.sh'));
  copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  for (const u of UTILS) symlinkSync(which(u), join(root, 'bin', u));
  symlinkSync(process.execPath, join(root, 'bin', 'node'));
  const goLog = join(root, 'go.log');
  // `go env GOVERSION` answers like a Go 1.26; any build is recorded and fails.
  script(join(root, 'bin', 'go'), `echo "$*" >> '${goLog}'\nif [[ "$1 $2" == "env GOVERSION" ]]; then echo go1.26.0; exit 0; fi\nexit 1`);
  if (opts.ffmpeg) for (const t of ['ffmpeg', 'ffprobe']) script(join(root, 'bin', t), 'exit 0');
  if (opts.k6) {
    mkdirSync(join(root, 'tools', 'bin'), { recursive: true });
    script(join(root, 'tools', 'bin', 'k6'), `echo "k6 ${pins.k6Version} (stand-in)"`);
    writeFileSync(join(root, 'tools', 'bin', 'k6.version'), `${pins.k6Version}\n`);
  }
  return { root, goLog };
}

function setup(root: string, args: string[]) {
  return spawnSync(join(root, 'bin', 'bash'), [join(root, 'scripts', 'setup-tools.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: join(root, 'bin'), HOME: root },
    timeout: 30_000,
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mt-setup-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/setup-tools.sh', () => {
  it('without ffmpeg: one line saying what to install, exit 1, and no Go build started', () => {
    const { root, goLog } = project('no-ffmpeg', { ffmpeg: false, k6: false });
    const r = setup(root, ['--quiet']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('setup-tools: ffmpeg is missing: install the ffmpeg package (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg), or set FFMPEG_PATH, then rerun.');
    expect(existsSync(goLog)).toBe(false);
  });

  it('--k6-only (npm run demo) with k6 built: done, the S3 test server is not built', () => {
    const { root, goLog } = project('demo', { ffmpeg: true, k6: true });
    const r = setup(root, ['--quiet', '--k6-only']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(goLog)).toBe(false);
    expect(existsSync(join(root, 'tools', 'bin', 'versitygw'))).toBe(false);
  });

  it('without --k6-only (npm test) the S3 test server is built', () => {
    const { root, goLog } = project('test', { ffmpeg: true, k6: true });
    const r = setup(root, ['--quiet']);
    expect(r.status).not.toBe(0);
    expect(readFileSync(goLog, 'utf8')).toContain(`get github.com/versity/versitygw@${pins.versitygwVersion}`);
  });

  it('npm run demo asks for k6 only; npm test for both', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.demo).toMatch(/^bash scripts\/setup-tools\.sh --quiet --k6-only && /);
    expect(scripts.test).toMatch(/^bash scripts\/setup-tools\.sh --quiet && /);
  });

  it('an unknown option is a usage error', () => {
    const { root } = project('usage', { ffmpeg: true, k6: true });
    const r = setup(root, ['--fast']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('setup-tools: unknown option --fast (use --quiet, --k6-only)');
  });
});
