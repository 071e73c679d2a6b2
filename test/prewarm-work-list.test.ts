// The work list's product (objects x targets x edges x cache-key variant sets) is streamed:
// it starts yielding at once from an endless listing, and each item carries its edge and set.
// Also: the error report and the run statistics break figures down by PoP and edge.
import { describe, expect, it } from 'vitest';
import { workItems, workHash, type WorkItem } from '../prep/prewarm/work-list.js';
import { derivativeKind, imageVariantKind, mediaTypeFor, type WorkKind } from '../prep/prewarm/work-kinds.js';
import { parseEdge } from '../prep/prewarm/edges.js';
import { browserAcceptSets, parseHeaderSet } from '../prep/prewarm/header-sets.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { selectImageVariants } from '../common/image-variants.js';
import { createErrorAnalyzer } from '../prep/errors-report/analyze-errors.js';
import { errorReportMarkdown } from '../prep/errors-report/render.js';
import { createRunStats } from '../prep/stats/run-stats.js';
import type { ResultsRecord } from '../common/results-record.js';
import type { StoredObject } from '../storage/types.js';

async function* endless(): AsyncGenerator<StoredObject> {
  for (let i = 0; ; i++) yield { key: i % 2 ? `v/${i}.mp4` : `i/${i}.jpg`, size: 1000, lastModified: '', etag: '' };
}

const context = { baseUrl: 'https://cdn.example.com/m/?token=t', mediaTypeOf: mediaTypeFor('auto', undefined) };

describe('the work list', () => {
  it('streams objects x targets x edges x sets from an endless listing, each item with its edge and set', async () => {
    const edges = [parseEdge('203.0.113.7', 443), parseEdge('[2001:db8::1]:8443', 443)];
    const items = workItems(endless(), {
      kinds: [derivativeKind(DEFAULT_DERIVATIVES.slice(0, 2)), imageVariantKind(selectImageVariants(['small']))],
      context, thresholds: { smallMiB: 50, mediumMiB: 200 }, edges,
      headerSets: [parseHeaderSet('X-Device: mobile')], imageHeaderSets: browserAcceptSets(),
    });
    const got: WorkItem[] = [];
    for await (const it of items) {
      got.push(it);
      if (got.length === 30) break;
    }
    // An image: 1 variant x 2 edges x (1 + 4 Accept sets) = 10; a video: 2 derivatives x 2 edges x 1 set = 4.
    expect(got.slice(0, 10).every((i) => i.key === 'i/0.jpg')).toBe(true);
    expect(got.slice(10, 14).every((i) => i.key === 'v/1.mp4')).toBe(true);
    expect(new Set(got.slice(0, 10).map((i) => `${i.edge!.label}|${i.cacheVariant!.label}`)).size).toBe(10);
    expect(got[0].edge!.label).toBe('203.0.113.7:443');
    expect(got.find((i) => i.edge!.host === '2001:db8::1')!.edge!.label).toBe('[2001:db8::1]:8443');
    expect(got[10].url).toBe('https://cdn.example.com/m/v/1.mp4?token=t&imwidth=1920');
    expect(got[10].cacheVariant!.headers).toEqual({ 'x-device': 'mobile' });
  });

  it('skips what --resume found done, per edge and set', async () => {
    const edges = [parseEdge('10.0.0.1', 80), parseEdge('10.0.0.2', 80)];
    const done = new Set([workHash('v/1.mp4', 'desktop', '10.0.0.2:80')]);
    const items: WorkItem[] = [];
    async function* one() {
      yield { key: 'v/1.mp4', size: 1, lastModified: '', etag: '' };
    }
    for await (const i of workItems(one(), { kinds: [derivativeKind([DEFAULT_DERIVATIVES[0]])], context, thresholds: { smallMiB: 50, mediumMiB: 200 }, edges, done })) items.push(i);
    expect(items.map((i) => i.edge!.label)).toEqual(['10.0.0.1:80']);
  });

  it('takes a kind of work item of another kind (e.g. segments) alongside derivatives', async () => {
    const segments: WorkKind = {
      kind: 'segment',
      async *targets(obj) {
        if (!obj.key.endsWith('.m3u8')) return;
        for (let n = 0; n < 3; n++) yield { kind: 'segment', name: `seg-${n}`, url: `https://cdn.example.com/${obj.key.replace('.m3u8', '')}/${n}.ts` };
      },
    };
    async function* list() {
      yield { key: 'live/a.m3u8', size: 10, lastModified: '', etag: '' };
      yield { key: 'v/b.mp4', size: 10, lastModified: '', etag: '' };
    }
    let files = 0;
    const got: WorkItem[] = [];
    for await (const i of workItems(list(), { kinds: [derivativeKind([DEFAULT_DERIVATIVES[0]]), segments], context, thresholds: { smallMiB: 50, mediumMiB: 200 }, onFile: () => files++ })) got.push(i);
    expect(got.map((i) => `${i.kind}:${i.name}`)).toEqual(['segment:seg-0', 'segment:seg-1', 'segment:seg-2', 'derivative:desktop']);
    expect(files).toBe(2);
  });
});

describe('figures by PoP and edge', () => {
  const rec = (pop: string | null, edge: string, ok: boolean): ResultsRecord => ({
    key: `k-${pop}-${edge}-${ok}.mp4`, derivative: 'desktop', kind: 'derivative', url: 'https://x/k.mp4', status: ok ? 200 : 503, ok, attempts: 1, ttfbMs: 1, totalMs: 2,
    bytesReceived: 10, contentLength: 10, contentType: 'video/mp4', cacheStatus: 'miss', errorClass: ok ? null : 'server_error', errorMessage: ok ? null : 'HTTP 503',
    sourceSize: 100, sizeCategory: 'small', startedAt: '2026-01-01T00:00:00.000Z', pop, edge,
  });
  const records = [rec('AMS', '10.0.0.1:443', true), rec('AMS', '10.0.0.1:443', false), rec('FRA', '10.0.0.2:443', true), rec('FRA', '10.0.0.2:443', true)];

  it('the error report has failure rates per PoP and per edge', () => {
    const a = createErrorAnalyzer();
    for (const r of records) a.add(r);
    const report = a.report('r.json');
    expect(report.byPop.map((p) => [p.name, p.failed, p.total])).toEqual([['AMS', 1, 2], ['FRA', 0, 2]]);
    expect(report.byEdge.map((p) => p.name)).toEqual(['10.0.0.1:443', '10.0.0.2:443']);
    expect(errorReportMarkdown(report)).toMatch(/### PoP\n\n\| name \| requests \| failed \| failure rate \|\n\|---\|---\|---\|---\|\n\| AMS \| 2 \| 1 \| 50\.0% \|/);
  });

  it('the run statistics group by PoP and edge', () => {
    const s = createRunStats();
    for (const r of records) s.add(r);
    const sum = s.summary();
    expect(sum.byPop.AMS).toMatchObject({ requests: 2, ok: 1, failed: 1 });
    expect(Object.keys(sum.byEdge)).toEqual(['10.0.0.1:443', '10.0.0.2:443']);
  });
});
