// Fault knobs: latency, error rate, 503 Retry-After, connection resets, ignored Range; seeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import type { OriginOptions } from '../origin/types.js';
import { seededRng } from '../common/random.js';
import { decideFault } from '../origin/faults.js';

describe('origin fault knobs', () => {
  let root: string;
  const running: RunningOrigin[] = [];
  const start = async (opts: Partial<OriginOptions>) => {
    const o = await startOrigin({ root, syntheticBytesPerWidth: 64, ...opts });
    running.push(o);
    return o;
  };
  const statuses = async (o: RunningOrigin, n: number, path = '/clip.mp4?imwidth=100') => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = await request(`${o.url}${path}`);
      await r.body.arrayBuffer();
      out.push(r.statusCode);
    }
    return out;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'origin-faults-'));
    await writeFile(join(root, 'clip.mp4'), Buffer.alloc(10_000, 7));
  });
  afterAll(async () => {
    await Promise.all(running.map((o) => o.close()));
    await rm(root, { recursive: true, force: true });
  });

  it('adds latency to every request', async () => {
    const o = await start({ faults: { latencyMs: 300 } });
    const t0 = performance.now();
    const r = await request(`${o.url}/clip.mp4`);
    await r.body.arrayBuffer();
    // Lower bound only: a busy machine may add time, never remove it.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(r.statusCode).toBe(200);
  });

  it('injects errors at about the asked rate, repeatably for a seed', async () => {
    const a = await start({ seed: 42, faults: { errorRate: 0.3 } });
    const sa = await statuses(a, 200);
    const errors = sa.filter((s) => s >= 500);
    expect(errors.length).toBeGreaterThanOrEqual(30);
    expect(errors.length).toBeLessThanOrEqual(90);
    expect(new Set(errors)).toEqual(new Set([500, 502, 503]));
    expect(sa.filter((s) => s === 200).length).toBe(200 - errors.length);
    expect(a.stats().errorsInjected).toBe(errors.length);

    const b = await start({ seed: 42, faults: { errorRate: 0.3 } });
    expect(await statuses(b, 200)).toEqual(sa);
    const c = await start({ seed: 43, faults: { errorRate: 0.3 } });
    expect(await statuses(c, 200)).not.toEqual(sa);
  });

  it('sends Retry-After with an injected 503, and only the statuses asked', async () => {
    const o = await start({ faults: { errorRate: 1, errorStatuses: [503], retryAfterSeconds: 7 } });
    const r = await request(`${o.url}/clip.mp4`);
    await r.body.arrayBuffer();
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('7');
    expect(r.headers['cf-cache-status']).toBeUndefined();
    o.setFaults({ errorRate: 1, errorStatuses: [502] });
    const r2 = await request(`${o.url}/clip.mp4`);
    await r2.body.arrayBuffer();
    expect(r2.statusCode).toBe(502);
    expect(r2.headers['retry-after']).toBeUndefined();
  });

  it('resets connections mid-response: the client sees a socket error', async () => {
    const o = await start({ faults: { resetRate: 1 } });
    for (const path of ['/clip.mp4', '/clip.mp4?imwidth=500']) {
      const attempt = (async () => {
        const r = await request(`${o.url}${path}`);
        return (await r.body.arrayBuffer()).byteLength;
      })();
      await expect(attempt, path).rejects.toThrow();
    }
    const head = request(`${o.url}/clip.mp4`, { method: 'HEAD' });
    await expect(head).rejects.toThrow();
    expect(o.stats().resets).toBe(3);
    o.setFaults({});
    expect(await statuses(o, 3, '/clip.mp4')).toEqual([200, 200, 200]);
  });

  it('resets about the asked fraction with a fixed seed', async () => {
    const o = await start({ seed: 5, faults: { resetRate: 0.25 } });
    let failed = 0;
    for (let i = 0; i < 80; i++) {
      try {
        const r = await request(`${o.url}/clip.mp4?imwidth=50`);
        await r.body.arrayBuffer();
      } catch {
        failed++;
      }
    }
    expect(failed).toBe(o.stats().resets);
    expect(failed).toBeGreaterThanOrEqual(8);
    expect(failed).toBeLessThanOrEqual(35);
  });

  it('ignores Range when asked: 200 with the whole body', async () => {
    const o = await start({ faults: { ignoreRange: true } });
    for (const path of ['/clip.mp4', '/clip.mp4?imwidth=100']) {
      const r = await request(`${o.url}${path}`, { headers: { range: 'bytes=0-99' } });
      const body = await r.body.arrayBuffer();
      expect(r.statusCode, path).toBe(200);
      expect(r.headers['content-range']).toBeUndefined();
      expect(body.byteLength, path).toBe(path.includes('imwidth') ? 6400 : 10_000);
    }
    o.setFaults({ ignoreRange: false });
    const r = await request(`${o.url}/clip.mp4`, { headers: { range: 'bytes=0-99' } });
    expect(r.statusCode).toBe(206);
    expect((await r.body.arrayBuffer()).byteLength).toBe(100);
  });

  it('changes knobs at run time and rejects impossible ones', async () => {
    const o = await start({});
    expect(await statuses(o, 5)).toEqual([200, 200, 200, 200, 200]);
    o.setFaults({ errorRate: 1, errorStatuses: [500] });
    expect(await statuses(o, 3)).toEqual([500, 500, 500]);
    expect(() => o.setFaults({ errorRate: 1.5 })).toThrow(/between 0 and 1/);
    expect(() => o.setFaults({ errorStatuses: [200] })).toThrow(/400\.\.599/);
    await expect(startOrigin({ root, faults: { resetRate: -1 } })).rejects.toThrow();
  });

  it('draws nothing from the generator when every knob is off', () => {
    let draws = 0;
    const random = () => {
      draws++;
      return 0.5;
    };
    expect(decideFault({ latencyMs: 10, ignoreRange: true }, random)).toEqual({ status: 0, reset: false });
    expect(draws).toBe(0);
    const seq = (seed: number) => {
      const r = seededRng(seed);
      return [r(), r(), r()];
    };
    expect(seq(9)).toEqual(seq(9));
    expect(seq(9)).not.toEqual(seq(10));
  });
});
