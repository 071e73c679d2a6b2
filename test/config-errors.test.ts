// An invalid configuration file is one clear line and exit 2: the file, the key path,
// and the closest known key, the expected type, or the YAML/JSON line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

let dir: string;

async function withFile(name: string, text: string, args = ['config']): Promise<{ code: number; stderr: string; path: string }> {
  const path = join(dir, name);
  await writeFile(path, text);
  const r = await runCli(['--config', path, ...args], { env: { MEDIA_TOOLKIT_CONFIG: undefined } });
  return { code: r.code, stderr: r.stderr, path };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-config-err-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('invalid configuration', () => {
  it('an unknown top-level key suggests the closest one and names the file', async () => {
    const r = await withFile('typo.yaml', 'remote: local\nwokers: 5\n');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(r.path);
    expect(r.stderr).toContain('unknown key "wokers"');
    expect(r.stderr).toContain('did you mean "workers"');
  });

  it('an unknown key inside a section gives the full key path', async () => {
    const r = await withFile('nested.yaml', 'thresholds:\n  size_treshold: 3\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "thresholds.size_treshold"');
    expect(r.stderr).toContain('did you mean "thresholds.size_threshold"');
  });

  it('the error stops a real subcommand too, before it does anything', async () => {
    const out = join(dir, 'never.json');
    const r = await withFile('typo2.yaml', 'bas_url: http://127.0.0.1:9/\n', ['prewarm', '--remote', 'local', '--bucket', dir, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "base_url"');
  });

  it('a value of the wrong type names the key and what was expected', async () => {
    const r = await withFile('type.yaml', 'workers: lots\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('workers');
    expect(r.stderr).toContain('expected a whole number, got "lots"');
    const c = await withFile('choice.yaml', 'optimization:\n  codec: divx\n');
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('optimization.codec');
    expect(c.stderr).toContain('divx');
    const s = await withFile('section.yaml', 'load_test: 5\n');
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('"load_test" must be a mapping');
    const b = await withFile('bool.yaml', 'continue_on_error: maybe\n');
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('continue_on_error');
  });

  it('bad YAML names the line', async () => {
    const r = await withFile('bad.yaml', 'remote: local\nbucket: media\nworkers: [1, 2\nderivatives: x\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid YAML at line \d+, column \d+/);
    expect(r.stderr).toContain(r.path);
    const dup = await withFile('dup.yaml', 'remote: local\nremote: s3\n');
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('at line 2');
  });

  it('bad JSON names the line', async () => {
    const r = await withFile('bad.json', '{\n  "remote": "local",\n  "workers": 3,,\n}\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid JSON at line 3');
  });

  it('a missing file is a usage error', async () => {
    const r = await runCli(['--config', join(dir, 'nope.yaml'), 'config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not found');
  });
});
