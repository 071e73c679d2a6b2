// Configuration precedence on real subcommands: default < --config file < MEDIA_TOOLKIT_* < flag,
// seen through `config` and through what a run really does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { maskValue } from '../cli/config/show.js';

let dir: string;

interface Shown {
  options: Array<{ flag: string; attribute: string; value: unknown; source: string; from?: string }>;
  unusedKeys: string[];
}

async function show(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Shown> {
  const r = await runCli(args, { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Shown;
}

const opt = (s: Shown, attr: string) => s.options.find((o) => o.attribute === attr);

// Variables the person running the tests may have set would change the sources.
const CLEAN: NodeJS.ProcessEnv = { MEDIA_TOOLKIT_WORKERS: undefined, MEDIA_TOOLKIT_TIMEOUT: undefined, MEDIA_TOOLKIT_CONFIG: undefined };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-config-'));
  await writeFile(
    join(dir, 'media-toolkit.yaml'),
    [
      'remote: local',
      `bucket: ${dir}`,
      'base_url: https://cdn.example.com/videos/?token=sekret123',
      'workers: 7',
      'timeout: 30',
      'derivatives: [tablet, mobile]',
      'thresholds:',
      '  size_threshold: 0.5',
      'optimization:',
      '  codec: h265',
      '  workers: 1',
      'load_test:',
      '  stage1_users: 3',
      '  stage1_duration: 5s',
      'validation:',
      '  workers: 2',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('configuration precedence', () => {
  it('default < file < env < flag, option by option (prewarm)', async () => {
    const file = join(dir, 'media-toolkit.yaml');
    const none = await show(['config', '--json', 'prewarm'], CLEAN);
    expect(opt(none, 'workers')).toMatchObject({ source: 'default', value: 50 });

    const fromFile = await show(['--config', file, 'config', '--json', 'prewarm'], CLEAN);
    expect(opt(fromFile, 'workers')).toMatchObject({ source: 'config', from: 'workers', value: 7 });
    expect(opt(fromFile, 'derivatives')).toMatchObject({ source: 'config', value: ['tablet', 'mobile'] });
    // Signed query strings are masked in what `config` prints.
    expect(opt(fromFile, 'baseUrl')?.value).toBe('https://cdn.example.com/videos/?token=REDACTED');
    // The section for ffmpeg workers does not leak into prewarm; keys prewarm does not take are listed.
    expect(fromFile.unusedKeys).toEqual(expect.arrayContaining(['optimization.codec', 'validation.workers']));

    const fromEnv = await show(['--config', file, 'config', '--json', 'prewarm'], { ...CLEAN, MEDIA_TOOLKIT_WORKERS: '9' });
    expect(opt(fromEnv, 'workers')).toMatchObject({ source: 'env', from: 'MEDIA_TOOLKIT_WORKERS', value: 9 });
    expect(opt(fromEnv, 'timeout')).toMatchObject({ source: 'config', value: 30 });

    const fromFlag = await show(['--config', file, 'config', '--json', 'prewarm', '--workers', '11'], { ...CLEAN, MEDIA_TOOLKIT_WORKERS: '9' });
    expect(opt(fromFlag, 'workers')).toMatchObject({ source: 'cli', value: 11 });
    expect(opt(fromFlag, 'timeout')).toMatchObject({ source: 'config', value: 30 });
  });

  it('maps sections to each command\'s own options', async () => {
    const file = join(dir, 'media-toolkit.yaml');
    const wf = await show(['--config', file, 'config', '--json', 'workflow'], CLEAN);
    expect(opt(wf, 'optimizeCodec')).toMatchObject({ source: 'config', from: 'optimization.codec', value: 'h265' });
    expect(opt(wf, 'optimizeWorkers')).toMatchObject({ source: 'config', from: 'optimization.workers', value: 1 });
    expect(opt(wf, 'workers')).toMatchObject({ source: 'config', from: 'workers', value: 7 });
    expect(opt(wf, 'sizeThreshold')).toMatchObject({ source: 'config', from: 'thresholds.size_threshold', value: 0.5 });
    expect(opt(wf, 'stage1Users')).toMatchObject({ source: 'config', value: 3 });
    const opt_ = await show(['--config', file, 'config', '--json', 'optimize'], CLEAN);
    expect(opt_.options.find((o) => o.attribute === 'codec')).toMatchObject({ source: 'config', value: 'h265' });
    // optimize's worker count comes from optimization.workers, never from the top-level (pre-warming) workers.
    expect(opt(opt_, 'workers')).toMatchObject({ source: 'config', from: 'optimization.workers', value: 1 });
    const lt = await show(['--config', file, 'config', '--json', 'loadtest'], CLEAN);
    expect(opt(lt, 'stage1Duration')).toMatchObject({ source: 'config', value: '5s' });
  });

  it('the same precedence reaches the commands a workflow runs', async () => {
    const file = join(dir, 'media-toolkit.yaml');
    const dry = (extra: string[], env: NodeJS.ProcessEnv) => runCli(['--config', file, 'workflow', '--dry-run', '--output-dir', join(dir, 'out'), ...extra], { env: { ...CLEAN, ...env } });
    const a = await dry([], {});
    expect(a.code, a.stderr).toBe(0);
    const prewarmLine = (s: string) => s.split('\n').find((l) => l.includes(' media-toolkit prewarm ')) ?? '';
    expect(prewarmLine(a.stdout)).toContain('--workers 7');
    expect(prewarmLine(a.stdout)).toContain('--derivatives tablet,mobile');
    expect(prewarmLine(a.stdout)).toContain('token=REDACTED');
    expect(a.stdout).not.toContain('sekret123');
    expect(a.stdout).toMatch(/optimize .*--codec h265/);
    const b = await dry([], { MEDIA_TOOLKIT_WORKERS: '9' });
    expect(prewarmLine(b.stdout)).toContain('--workers 9');
    const c = await dry(['--workers', '12'], { MEDIA_TOOLKIT_WORKERS: '9' });
    expect(prewarmLine(c.stdout)).toContain('--workers 12');
  });

  it('a file value drives a real run of a subcommand, and a flag overrides it', async () => {
    const cfg = join(dir, 'list.json');
    await writeFile(join(dir, 'clip.mp4'), Buffer.alloc(2048));
    await writeFile(join(dir, 'photo.jpg'), Buffer.alloc(1024));
    await writeFile(cfg, JSON.stringify({ remote: 'local', bucket: dir, extensions: ['.mp4'] }));
    const r = await runCli(['--config', cfg, 'list', '--format', 'jsonl'], { env: CLEAN });
    expect(r.code, r.stderr).toBe(0);
    const keys = r.stdout.trim().split('\n').map((l) => JSON.parse(l).key);
    expect(keys).toEqual(['clip.mp4']);
    const r2 = await runCli(['--config', cfg, 'list', '--format', 'jsonl', '--extensions', '.jpg'], { env: CLEAN });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout.trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(['photo.jpg']);
  });

  it('reads the flat config.yaml of the Go version, durations for seconds included', async () => {
    const flat = join(dir, 'go-flat.yaml');
    await writeFile(
      flat,
      ['remote: r2', 'bucket: media', 'connection_close_delay: 15s', 'timeout: 2m', 'optimize_by_size: true', 'small_file_workers: 200',
        'codec: h265', 'quality: efficient', 'target_resolution: 720p', 'stage2_users: 50', 'stage2_duration: 2m', ''].join('\n'),
    );
    const wf = await show(['--config', flat, 'config', '--json', 'workflow'], CLEAN);
    expect(opt(wf, 'connectionCloseDelay')).toMatchObject({ source: 'config', value: 15 });
    expect(opt(wf, 'timeout')).toMatchObject({ source: 'config', value: 120 });
    expect(opt(wf, 'optimizeBySize')).toMatchObject({ source: 'config', value: true });
    expect(opt(wf, 'optimizeCodec')).toMatchObject({ source: 'config', from: 'codec', value: 'h265' });
    expect(opt(wf, 'optimizeQuality')).toMatchObject({ value: 'efficient' });
    expect(opt(wf, 'optimizeResolution')).toMatchObject({ value: '720p' });
    expect(opt(wf, 'stage2Duration')).toMatchObject({ source: 'config', value: '2m' });
  });

  it('masks values of options named like secrets', () => {
    expect(maskValue('secretAccessKey', 'abc')).toBe('********');
    expect(maskValue('apiToken', 'abc')).toBe('********');
    expect(maskValue('baseUrl', 'https://u:p@cdn.example.com/?X-Amz-Signature=abc&w=1')).toBe('https://REDACTED@cdn.example.com/?X-Amz-Signature=REDACTED&w=1');
    expect(maskValue('workers', 5)).toBe(5);
  });
});
