// list and analyze against the real versitygw S3 server: more than 1000 keys
// across nested prefixes (pagination and delimiter fan-out), awkward key
// names, zero-byte objects; exact output compared with the seeded set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { runCli } from './helpers/cli.js';
import { compareKeys } from '../storage/key-order.js';
import { listS3 } from '../storage/s3.js';
import { listObjects, type StoredObject } from '../storage/index.js';
import { listingWriter, readListingFile, type ListingFormat } from '../storage/listing-format.js';
import { analyzeListing, renderReport } from '../prep/analyze/index.js';

const BUCKET = 'media-main';
const SPECIAL = [
  'special/with space.mp4',
  'special/ünïcødé 日本.mov',
  'special/plus+sign.mp4',
  'special/hash#tag.mp4',
  'special/percent%20literal.mp4',
  'special/question?.mp4',
  'special/UPPER.MP4',
  'special/Mixed.MoV',
  'special/emoji 😀.jpg',
  'special/zero.mp4',
  'top-level.MOV',
  'no-extension',
];
const EXTS = ['.mp4', '.MOV', '.jpg', '.PNG', '.webm', '.txt'];

interface Seed {
  key: string;
  body: Buffer;
}

function seedSet(): Seed[] {
  const seeds: Seed[] = [];
  const body = (key: string, size: number) => Buffer.from(`${key}|`.repeat(Math.ceil(size / (key.length + 1)) || 0).slice(0, size));
  // One folder with more than 1000 keys: ListObjectsV2 must paginate inside a prefix.
  for (let i = 0; i < 1040; i++) {
    const key = `lib/flat/file-${String(i).padStart(4, '0')}${EXTS[i % EXTS.length]}`;
    seeds.push({ key, body: body(key, i % 17 === 0 ? 0 : (i * 7919) % 6000) });
  }
  // Nested folders: the delimiter fan-out walks them in parallel.
  for (let i = 0; i < 180; i++) {
    const key = `lib/${'abc'[i % 3]}/${i % 7}/deep/clip ${i}${EXTS[(i * 5) % EXTS.length]}`;
    seeds.push({ key, body: body(key, (i * 104729) % 9000) });
  }
  for (const key of SPECIAL) seeds.push({ key, body: body(key, key.includes('zero') ? 0 : 100 + key.length * 37) });
  return seeds;
}

async function render(format: ListingFormat, objects: AsyncIterable<StoredObject>): Promise<string> {
  let text = '';
  const w = listingWriter(format, (t) => {
    text += t;
  });
  for await (const o of objects) await w.write(o);
  await w.end();
  return text;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('list and analyze on a real S3 server (versitygw)', () => {
  let s3: S3TestServer;
  let env: Record<string, string>;
  let s3Args: string[];
  let seeds: Seed[];
  let expected: Array<{ key: string; size: number; etag: string }>;
  let tmp: string;
  let seededFrom: number;

  beforeAll(async () => {
    s3 = await startS3Server({ accessLog: true });
    tmp = await mkdtemp(join(tmpdir(), 'mt-s3-test-'));
    seeds = seedSet();
    seededFrom = Math.floor(Date.now() / 1000) * 1000;
    await s3.createBucket(BUCKET);
    await s3.createBucket('empty-bucket');
    await s3.putObjects(BUCKET, seeds.map((s) => ({ key: s.key, body: s.body })), { concurrency: 24 });
    expected = seeds
      .map((s) => ({ key: s.key, size: s.body.length, etag: md5(s.body) }))
      .sort((a, b) => compareKeys(a.key, b.key));
    env = { ...s3.awsEnv(), AWS_CA_BUNDLE: '', AWS_PROFILE: '' };
    s3Args = ['--remote', 's3', '--endpoint', s3.endpoint, '--region', 'us-east-1'];
    // In-process listings get the same credentials through the AWS chain.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true', AWS_CA_BUNDLE: '' });
  });
  const location = () => ({ endpoint: s3.endpoint, region: 'us-east-1' });

  afterAll(async () => {
    await s3?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const checkTimes = (objs: Array<{ lastModified: string }>) => {
    for (const o of objs) {
      const t = Date.parse(o.lastModified);
      expect(o.lastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(t).toBeGreaterThanOrEqual(seededFrom - 2000);
      expect(t).toBeLessThanOrEqual(Date.now() + 2000);
    }
  };
  const withoutTimes = <T extends { lastModified?: string }>(objs: T[]) => objs.map(({ lastModified: _, ...rest }) => rest);

  it('lists every seeded object exactly, in key order, as JSON (over 1000 keys, nested prefixes)', async () => {
    expect(seeds.length).toBeGreaterThan(1200);
    const r = await runCli(['list', ...s3Args, '--bucket', BUCKET, '--format', 'json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(withoutTimes(got)).toEqual(expected);
    checkTimes(got);
    // Only ListObjectsV2 requests, one per folder page: never one request per object.
    let ops: string[] = [];
    for (let i = 0; i < 20; i++) {
      ops = (await s3.operations()).filter((op) => op !== 's3_PutObject' && op !== 's3_CreateBucket' && op !== 's3_ListAllMyBuckets');
      if (ops.length > 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(new Set(ops)).toEqual(new Set(['s3_ListObjectsV2']));
    expect(ops.length).toBeGreaterThan(1);
    expect(ops.length).toBeLessThan(60);
  });

  it('gives the same listing whatever the concurrency, page size and read-ahead budget', async () => {
    const clientWithKeys = s3.client;
    try {
      for (const tuning of [
        { concurrency: 1 },
        { concurrency: 16 },
        { concurrency: 5, pageSize: 7, budget: 3, maxTreeNodes: 4 },
        { concurrency: 3, pageSize: 50, budget: 100, maxTreeNodes: 1000 },
        // The reader descends into a folder while its parent's next page still waits for a slot.
        { concurrency: 2, pageSize: 3, budget: 2, maxTreeNodes: 1000 },
        { concurrency: 1, pageSize: 2, budget: 1, maxTreeNodes: 1000 },
      ]) {
        const keys: string[] = [];
        for await (const o of listS3(clientWithKeys, BUCKET, '', tuning)) keys.push(o.key);
        expect(keys, JSON.stringify(tuning)).toEqual(expected.map((e) => e.key));
      }
      // --limit style early stop: the generator can be left half-way.
      const first: string[] = [];
      for await (const o of listS3(clientWithKeys, BUCKET, 'lib/', { concurrency: 4, pageSize: 10 })) {
        first.push(o.key);
        if (first.length === 25) break;
      }
      expect(first).toEqual(expected.filter((e) => e.key.startsWith('lib/')).slice(0, 25).map((e) => e.key));
    } finally {
      // the fixture's client; stop() destroys it
    }
  });

  it('writes csv through the CLI (atomically to --output) and jsonl and a table with a total', async () => {
    const out = join(tmp, 'listing.csv');
    const csv = await runCli(['list', ...s3Args, '--bucket', BUCKET, '--format', 'csv', '--output', out, '--no-progress'], { env });
    expect(csv.code).toBe(0);
    const parsed = Papa.parse<Record<string, string>>(await readFile(out, 'utf8'), { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields).toEqual(['key', 'size', 'lastModified', 'etag']);
    expect(parsed.data.map((r) => ({ key: r.key, size: Number(r.size), etag: r.etag }))).toEqual(expected);

    const jsonl = await render('jsonl', listObjects({ ...location(), remote: 's3', bucket: BUCKET }));
    expect(withoutTimes(jsonl.trim().split('\n').map((l) => JSON.parse(l)))).toEqual(expected);

    const table = await render('table', listObjects({ ...location(), remote: 's3', bucket: BUCKET, directory: 'special' }));
    const lines = table.trimEnd().split('\n');
    const specials = expected.filter((e) => e.key.startsWith('special/'));
    expect(lines.length).toBe(specials.length + 2);
    expect(lines[0]).toMatch(/^\s+SIZE\s+LAST MODIFIED\s+KEY$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s{2}/).pop())).toEqual(specials.map((e) => e.key));
    const total = specials.reduce((sum, e) => sum + e.size, 0);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^${specials.length} objects, .* \\(${total} bytes\\)$`));
  });

  it('filters by extension (any case), media type, size, glob and limit, and sorts by size', async () => {
    const r = await runCli(
      ['list', ...s3Args, '--bucket', BUCKET, '--extensions', '.mp4,.MOV', '--min-size', '1KiB', '--max-size', '5000', '--exclude', 'lib/b/**', '--exclude', '*0.mp4', '--format', 'jsonl'],
      { env },
    );
    expect(r.code).toBe(0);
    const want = expected.filter(
      (e) => /\.(mp4|mov)$/i.test(e.key) && e.size >= 1024 && e.size <= 5000 && !e.key.startsWith('lib/b/') && !/(^|\/)[^/]*0\.mp4$/.test(e.key),
    );
    expect(want.length).toBeGreaterThan(50);
    expect(r.stdout.trim().split('\n').map((l) => withoutTimes([JSON.parse(l)])[0])).toEqual(want);

    // Old flag name, media type and limit (first 5 in key order), then sorted by size.
    const old = await runCli(['list', ...s3Args, '--bucket', BUCKET, '--extension', 'jpg', '--media-type', 'image', '--limit', '5', '--list-files', '--format', 'jsonl'], { env });
    expect(old.code).toBe(0);
    const firstJpgs = expected.filter((e) => /\.jpg$/i.test(e.key)).slice(0, 5).sort((a, b) => b.size - a.size || compareKeys(a.key, b.key));
    expect(old.stdout.trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(firstJpgs.map((e) => e.key));
  });

  it('analyze --format json gives figures computed independently from the seeded set', async () => {
    const args = ['analyze', ...s3Args, '--bucket', BUCKET, '--format', 'json', '--size-threshold', '0.005', '--small-file-threshold', '0.002', '--medium-file-threshold', '0.006', '--top', '5'];
    const r = await runCli(args, { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    const sizes = expected.map((e) => e.size).sort((a, b) => a - b);
    const n = sizes.length;
    const total = sizes.reduce((s, x) => s + x, 0);
    const rank = (q: number) => sizes[Math.max(1, Math.ceil(q * n)) - 1];
    expect(rep.count).toBe(n);
    expect(rep.totalBytes).toBe(total);
    expect(rep.stats).toEqual({ min: 0, max: sizes[n - 1], mean: total / n, median: rank(0.5), p90: rank(0.9), p99: rank(0.99) });
    expect(rep.quantiles.method).toBe('exact');
    expect(rep.quantiles.relativeError).toBe(0);
    const MiB = 1024 * 1024;
    const cat = (lo: number, hi: number) => expected.filter((e) => e.size >= lo && e.size <= hi);
    const small = cat(0, 0.002 * MiB - 1e-9);
    const medium = expected.filter((e) => e.size >= 0.002 * MiB && e.size <= 0.006 * MiB);
    const large = expected.filter((e) => e.size > 0.006 * MiB);
    expect(rep.categories.map((c: { category: string; count: number; bytes: number }) => [c.category, c.count, c.bytes])).toEqual([
      ['small', small.length, small.reduce((s, e) => s + e.size, 0)],
      ['medium', medium.length, medium.reduce((s, e) => s + e.size, 0)],
      ['large', large.length, large.reduce((s, e) => s + e.size, 0)],
    ]);
    // Power-of-two histogram, contiguous from the smallest to the largest bucket.
    const hist = new Map<number, { count: number; bytes: number }>();
    for (const s of sizes) {
      const k = s === 0 ? -1 : Math.floor(Math.log2(s));
      const h = hist.get(k) ?? { count: 0, bytes: 0 };
      h.count++;
      h.bytes += s;
      hist.set(k, h);
    }
    const ks = [...hist.keys()].filter((k) => k >= 0);
    const wantHist = [{ fromBytes: 0, toBytes: 1, ...hist.get(-1)! }];
    for (let k = Math.min(...ks); k <= Math.max(...ks); k++) wantHist.push({ fromBytes: 2 ** k, toBytes: 2 ** (k + 1), ...(hist.get(k) ?? { count: 0, bytes: 0 }) });
    expect(rep.histogram).toEqual(wantHist);
    // Extensions, lower-cased.
    const ext = new Map<string, { count: number; bytes: number }>();
    for (const e of expected) {
      const m = /\.[^./]+$/.exec(e.key.slice(e.key.lastIndexOf('/') + 1));
      const x = m ? m[0].toLowerCase() : '';
      const v = ext.get(x) ?? { count: 0, bytes: 0 };
      v.count++;
      v.bytes += e.size;
      ext.set(x, v);
    }
    expect(Object.fromEntries(rep.extensions.map((e: { extension: string; count: number; bytes: number }) => [e.extension, { count: e.count, bytes: e.bytes }]))).toEqual(Object.fromEntries(ext));
    const largest = [...expected].sort((a, b) => b.size - a.size || compareKeys(a.key, b.key)).slice(0, 5);
    expect(rep.largest.map((f: { key: string; size: number; share: number }) => [f.key, f.size, f.share])).toEqual(largest.map((e) => [e.key, e.size, e.size / total]));
    const threshold = Math.round(0.005 * MiB);
    const above = expected.filter((e) => e.size > threshold);
    const aboveVideo = above.filter((e) => /\.(mp4|mov|webm)$/i.test(e.key));
    expect(rep.aboveThreshold).toMatchObject({
      thresholdBytes: threshold,
      count: above.length,
      bytes: above.reduce((s, e) => s + e.size, 0),
      bytesShare: above.reduce((s, e) => s + e.size, 0) / total,
      videoCount: aboveVideo.length,
      videoBytes: aboveVideo.reduce((s, e) => s + e.size, 0),
    });
    expect(rep.aboveThreshold.files.length).toBe(Math.min(5, above.length));
    const vb = aboveVideo.reduce((s, e) => s + e.size, 0);
    expect(rep.savings.estimates.map((e: { codec: string; estimatedSavingsBytes: number }) => [e.codec, e.estimatedSavingsBytes])).toEqual([
      ['h264', 0],
      ['h265', vb - Math.round(vb * 0.5)],
      ['vp9', vb - Math.round(vb * 0.55)],
      ['av1', vb - Math.round(vb * 0.4)],
    ]);
    expect(rep.savings.note).toMatch(/H\.265 40-60%, VP9 45-65%, AV1 30-50%/);

    // The same report from listing files in the formats `list` writes (json, jsonl, csv); csv through the CLI.
    for (const format of ['json', 'jsonl', 'csv'] as const) {
      const file = join(tmp, `all.${format}`);
      await writeFile(file, await render(format, listObjects({ ...location(), remote: 's3', bucket: BUCKET })));
      const fromFile =
        format === 'csv'
          ? JSON.parse((await runCli(['analyze', '--listing-file', file, ...args.slice(args.indexOf('--format'))])).stdout)
          : await analyzeListing(readListingFile(file), { sizeThresholdMiB: 0.005, thresholds: { smallMiB: 0.002, mediumMiB: 0.006 }, top: 5 });
      expect({ ...fromFile, generatedAt: '', source: '' }, format).toEqual({ ...rep, generatedAt: '', source: '' });
    }
  });

  it('analyze renders markdown, csv and a self-contained html page', async () => {
    const base = ['analyze', ...s3Args, '--bucket', BUCKET, '--size-threshold', '0.005'];
    const md = await runCli(base, { env });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# File size report');
    expect(md.stdout).toContain(`| Files | ${expected.length.toLocaleString('en-US')} |`);
    expect(md.stdout).toMatch(/Assumptions: .*H\.265 40-60%/);
    const report = await analyzeListing(listObjects({ ...location(), remote: 's3', bucket: BUCKET }), { sizeThresholdMiB: 0.005 });
    const rows = Papa.parse<string[]>(renderReport(report, 'csv').trim()).data;
    expect(rows[0]).toEqual(['section', 'label', 'count', 'bytes', 'share', 'value']);
    expect(rows[1].slice(0, 4)).toEqual(['summary', 'files', String(expected.length), String(expected.reduce((sum, e) => sum + e.size, 0))]);
    const out = join(tmp, 'report.html');
    const html = await runCli([...base, '--format', 'html', '--size-report-output', out, '--no-progress'], { env });
    expect(html.code).toBe(0);
    const page = await readFile(out, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect((page.match(/<svg /g) ?? []).length).toBe(2);
    // Self-contained: no scripts, stylesheets, fonts or images loaded from anywhere.
    expect(page).not.toMatch(/<script|<link|<img|@import|@font-face|src=|href=|url\(/i);
    expect(page).toContain('Estimated savings if re-encoded');
  });

  it('an empty bucket gives an empty listing and a valid empty report', async () => {
    const l = await runCli(['list', ...s3Args, '--bucket', 'empty-bucket', '--format', 'json'], { env });
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout)).toEqual([]);
    const a = await runCli(['analyze', ...s3Args, '--bucket', 'empty-bucket', '--format', 'json'], { env });
    expect(a.code).toBe(0);
    const rep = JSON.parse(a.stdout);
    expect(rep).toMatchObject({ count: 0, totalBytes: 0, stats: null, histogram: [], extensions: [], largest: [] });
    const md = renderReport(await analyzeListing(listObjects({ ...location(), remote: 's3', bucket: 'empty-bucket' })), 'markdown');
    expect(md).toContain('The listing is empty');
    expect(renderReport(await analyzeListing(listObjects({ ...location(), remote: 's3', bucket: 'empty-bucket' })), 'html')).toContain('The listing is empty');
  });

  it('bad input: missing bucket, wrong credentials, unreachable endpoint, no --bucket, unknown remote', async () => {
    const missing = await runCli(['list', ...s3Args, '--bucket', 'no-such-bucket'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([`media-toolkit: error: bucket "no-such-bucket" does not exist at ${s3.endpoint}`]);

    const badCreds = await runCli(['analyze', ...s3Args, '--bucket', BUCKET], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' } });
    expect(badCreds.code).toBe(1);
    expect(badCreds.stderr.trim().split('\n')).toHaveLength(1);
    expect(badCreds.stderr).toMatch(/rejected the credentials \((SignatureDoesNotMatch|InvalidAccessKeyId)\) listing bucket "media-main"/);
    expect(badCreds.stderr).not.toContain('wrong-secret-value');
    expect(badCreds.stdout).toBe('');

    // A port nothing listens on: the server's own port after it is known to be ours is not reusable, so take a fresh one.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const down = await runCli(['list', '--remote', 's3', '--endpoint', `http://127.0.0.1:${port}`, '--bucket', BUCKET], { env });
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toBe(`media-toolkit: error: cannot reach S3 endpoint http://127.0.0.1:${port}: ECONNREFUSED`);

    const noBucket = await runCli(['list', ...s3Args], { env });
    expect(noBucket.code).toBe(2);
    expect(noBucket.stderr.trim()).toBe('media-toolkit: --bucket is required (a bucket name, or for --remote local a folder path)');

    const unknown = await runCli(['list', '--remote', 'nosuchremote', '--bucket', 'x'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      'media-toolkit: error: unknown remote "nosuchremote": not "s3" or "local", and rclone has no remote of that name (see `rclone listremotes`)',
    );
  });

  it('--profile takes the credentials of that profile from the AWS files', async () => {
    const creds = join(tmp, 'aws-credentials');
    await writeFile(creds, `[media]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`);
    // No keys in the environment and no default profile: only [media] can sign. No region either: us-east-1 by default.
    const r = await runCli(['list', '--remote', 's3', '--endpoint', s3.endpoint, '--bucket', BUCKET, '--directory', 'special', '--profile', 'media', '--format', 'jsonl'], {
      env: { ...env, AWS_SHARED_CREDENTIALS_FILE: creds, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(expected.filter((e) => e.key.startsWith('special/')).map((e) => e.key));
    const noProfile = await runCli(['list', ...s3Args, '--bucket', BUCKET, '--profile', 'nosuchprofile'], { env: { ...env, AWS_SHARED_CREDENTIALS_FILE: creds, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
    expect(noProfile.code).toBe(1);
    expect(noProfile.stderr.trim().split('\n')).toHaveLength(1);
    expect(noProfile.stderr.trim()).toBe('media-toolkit: error: no AWS credentials found for profile "nosuchprofile" in the AWS config and credentials files');
  });

  it('rclone backend: an rclone S3 remote from RCLONE_CONFIG_* variables lists the same objects in one streamed call', async () => {
    const rcloneEnv = {
      ...env,
      RCLONE_CONFIG_VGW_TYPE: 's3',
      RCLONE_CONFIG_VGW_PROVIDER: 'Other',
      RCLONE_CONFIG_VGW_ACCESS_KEY_ID: s3.accessKeyId,
      RCLONE_CONFIG_VGW_SECRET_ACCESS_KEY: s3.secretAccessKey,
      RCLONE_CONFIG_VGW_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_VGW_REGION: 'us-east-1',
      RCLONE_CONFIG_VGW_FORCE_PATH_STYLE: 'true',
    };
    const r = await runCli(['list', '--remote', 'vgw', '--bucket', BUCKET, '--sort', 'key', '--format', 'json'], { env: rcloneEnv });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.map((o: { key: string; size: number }) => ({ key: o.key, size: o.size }))).toEqual(expected.map((e) => ({ key: e.key, size: e.size })));
    checkTimes(got);
    const saved = { ...process.env };
    Object.assign(process.env, rcloneEnv);
    try {
      const sub: string[] = [];
      for await (const o of listObjects({ remote: 'vgw', bucket: BUCKET, directory: 'special/' })) sub.push(o.key);
      expect(sub.sort(compareKeys)).toEqual(expected.filter((e) => e.key.startsWith('special/')).map((e) => e.key));
    } finally {
      for (const k of Object.keys(rcloneEnv)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    const missing = await runCli(['list', '--remote', 'vgw', '--bucket', 'no-such-bucket'], { env: rcloneEnv });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/not found/);
  });
});
