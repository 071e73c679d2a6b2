// An installable package, tried as a new user would: `npm pack` (which builds in prepack)
// on a clean copy of the project, the tarball installed into an empty folder with
// --ignore-scripts, then `media-toolkit --help`, `doctor`, a pre-warm and a short `loadtest`
// run from there, the k6 scenario found inside the installed package.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { ROOT, type CliResult } from './helpers/cli.js';
import { locateTool } from '../lib/tools.js';

const run = promisify(execFile);
let dir: string;
let tarball: string;
let app: string;
let origin: RunningOrigin;
const CLEAN = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('MEDIA_TOOLKIT_') || k.startsWith('npm_')).map((k) => [k, undefined]));

/** The installed `media-toolkit`, run from the app folder. */
function installed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(app, 'node_modules', '.bin', 'media-toolkit'), args, { cwd: app, env: { ...process.env, ...CLEAN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-package-'));
  // A clean copy of the tracked files (no dist/: prepack must build it), sharing node_modules.
  const src = join(dir, 'src');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of tracked) {
    if (!existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(src, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(src, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  expect(existsSync(join(src, 'dist'))).toBe(false);
  const packEnv = { ...process.env, ...CLEAN };
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: src, env: packEnv, maxBuffer: 16 << 20 });
  const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(dir, packed[0].filename);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name":"try-media-toolkit","private":true}\n');
  // --ignore-scripts: a consumer runs no build; --prefer-offline: dependencies from the npm cache when there.
  await run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env: packEnv, maxBuffer: 16 << 20, timeout: 150_000 });
  const bucket = join(dir, 'media');
  mkdirSync(bucket);
  for (const f of ['a.mp4', 'b.mov']) writeFileSync(join(bucket, f), Buffer.alloc(2000));
  origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 4 });
}, 170_000);

afterAll(async () => {
  await origin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack, then npm install of the tarball', () => {
  it('the tarball holds the README, the launcher, dist/ (CLI and k6 bundles) and the examples: nothing else', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'bin/media-toolkit.js', 'dist/node/media-toolkit.js', 'dist/loadtest.js', 'examples/media-toolkit.yaml', 'examples/k8s/k6-testrun.yaml']));
    const outside = files.filter((f) => !/^(README\.md|package\.json|bin\/media-toolkit\.js|dist\/.+|examples\/.+)$/.test(f));
    expect(outside).toEqual([]);
    expect(files.some((f) => /^(test|bench|\.ci|scripts|cli|common|node_modules|tools)\//.test(f))).toBe(false);
  });

  it('neither k6 nor ffmpeg comes with it (README "Licences"): not in the tarball, not among the installed dependencies', () => {
    const names = readdirSync(join(app, 'node_modules'), { recursive: true, encoding: 'utf8' }).map((f) => f.split('/').pop()!);
    for (const program of ['k6', 'ffmpeg', 'ffprobe', 'k6.exe', 'ffmpeg.exe']) expect([program, names.includes(program)]).toEqual([program, false]);
    const deps = Object.keys(JSON.parse(readFileSync(join(app, 'node_modules', 'media-toolkit', 'package.json'), 'utf8')).dependencies ?? {});
    expect(deps.filter((d) => /ffmpeg|ffprobe|k6/i.test(d) && d !== '@types/k6')).toEqual([]);
    const readme = readFileSync(join(app, 'node_modules', 'media-toolkit', 'README.md'), 'utf8');
    const licences = readme.slice(readme.indexOf('\n## Licences'), readme.indexOf('\n## ', readme.indexOf('\n## Licences') + 5));
    for (const said of ['AGPL-3.0', 'LGPL', 'separate programs', 'links neither', 'ships neither', 'unmodified upstream builds']) expect(licences).toContain(said);
  });

  it('media-toolkit --help from the installed package', async () => {
    const r = await installed(['--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const c of ['list', 'prewarm', 'loadtest', 'optimize', 'doctor']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const v = await installed(['--version']);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('doctor from the installed package reads the pinned versions and finds the tools', async () => {
    const k6 = locateTool('k6')!.path;
    const r = await installed(['doctor'], { K6_BIN: k6 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^k6 +k6 v\\d+\\.\\d+\\.\\d+.*\\[${k6.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, from env\\]`, 'm'));
    expect(r.stdout).toMatch(/^ffmpeg +ffmpeg version/m);
    expect(r.stdout).toMatch(/^pinned +k6 v2\.\d+\.\d+, versitygw v/m);
  });

  it('prewarm, then a short loadtest with the k6 scenario inside the installed package', async () => {
    const pre = await installed(['prewarm', '--bucket', join(dir, 'media'), '--base-url', origin.url, '--derivatives', 'mobile', '--progress', 'false', '--output', 'r.json']);
    expect(pre.code, pre.stderr).toBe(0);
    const k6 = locateTool('k6')!.path;
    const r = await installed(['loadtest', '--base-url', origin.url, '--results-file', 'r.json', '--smoke', '--min-sleep', '0', '--max-sleep', '0', '--reports-dir', 'reports', '--', '--quiet'], { K6_BIN: k6 });
    expect(r.code, r.stderr).toBe(0);
    const script = join(app, 'node_modules', 'media-toolkit', 'dist', 'loadtest.js');
    expect(r.stderr + r.stdout).toContain(`k6 run`);
    expect(r.stderr + r.stdout).toContain(script);
    expect(r.stdout).toMatch(/media-toolkit loadtest: PASSED/);
    expect(JSON.parse(readFileSync(join(app, 'reports', 'loadtest-summary.json'), 'utf8')).passed).toBe(true);
    // Nothing was built or written inside the installed package.
    expect(readdirSync(join(app, 'node_modules', 'media-toolkit')).sort()).toEqual(['README.md', 'bin', 'dist', 'examples', 'package.json']);
  });
});
