// The URL warmed is the URL load-tested: for every --url-format (and none), the k6 scenario
// asks the origin for exactly the URLs prewarm asked for, image variants included (an explicit
// --url-format imwidth gives them the imwidth form in both; unset leaves their catalogue form).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RequestLogEntry, type RunningOrigin } from '../origin/index.js';
import { runCli } from './helpers/cli.js';

let dir: string;
let origin: RunningOrigin;
const log: RequestLogEntry[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-replay-urls-'));
  await mkdir(join(dir, 'lib', 'v'), { recursive: true });
  await mkdir(join(dir, 'lib', 'i'), { recursive: true });
  await writeFile(join(dir, 'lib', 'v', 'a.mp4'), Buffer.alloc(4000, 1));
  await writeFile(join(dir, 'lib', 'i', 'p.jpg'), Buffer.alloc(2000, 2));
  origin = await startOrigin({ root: join(dir, 'lib'), syntheticBytesPerWidth: 2, onRequest: (e) => log.push(e) });
});
afterAll(async () => {
  await origin?.close();
  await rm(dir, { recursive: true, force: true });
});

const asked = (from: number) => new Set(log.slice(from).map((e) => e.url));

describe('loadtest replays the URLs prewarm warmed', () => {
  for (const format of [undefined, 'imwidth', 'query', 'derivative'] as const) {
    it(`--url-format ${format ?? '(unset)'}`, async () => {
      const flags = format ? ['--url-format', format] : [];
      const out = join(dir, `r-${format ?? 'unset'}.json`);
      const before = log.length;
      const warm = await runCli(['prewarm', '--remote', 'local', '--bucket', join(dir, 'lib'), '--base-url', origin.url, '--derivatives', 'mobile', '--image-variants', 'small', ...flags, '--output', out, '--progress', 'false']);
      expect(warm.code, warm.stderr + warm.stdout).toBe(0);
      const warmed = asked(before);
      expect(warmed.size).toBe(2);
      const mid = log.length;
      const test = await runCli(['loadtest', '--base-url', origin.url, '--results-file', out, ...flags, '--sequential', '--reports-dir', join(dir, `reports-${format ?? 'unset'}`), '--', '--quiet']);
      expect(test.code, test.stderr + test.stdout).toBe(0);
      expect(asked(mid)).toEqual(warmed);
    }, 60_000);
  }
});
