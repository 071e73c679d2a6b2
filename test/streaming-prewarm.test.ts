// prewarm --hls-template / --dash-template, run as a user runs it, against the
// origin's streams: exactly the init and media segments ffprobe itself requests
// when it reads the same playlist, each recorded with its kind, rendition and
// sequence number; a second run sees HITs; --resume, --renditions, failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RequestLogEntry, type RunningOrigin } from '../origin/index.js';
import type { ResultsRecord } from '../common/results-record.js';
import { runCli } from './helpers/cli.js';
import { makeClip, tool } from './fixtures/streaming-clip.js';

/** The (url, offset) of every segment request ffprobe's HLS or DASH demuxer makes while reading everything. */
async function ffprobeRequests(url: string): Promise<string[]> {
  const { execFile } = await import('node:child_process');
  const { requireTool } = await import('../lib/tools.js');
  const stderr = await new Promise<string>((resolve, reject) => {
    execFile(requireTool('ffprobe'), ['-v', 'verbose', '-count_packets', '-show_entries', 'stream=index', url], { maxBuffer: 64 << 20 }, (err, _out, errText) => (err ? reject(err) : resolve(errText)));
  });
  const out: string[] = [];
  for (const m of stderr.matchAll(/(?:HLS|DASH) request for url '([^']+)', offset (\d+)/g)) out.push(`${m[1]} @${m[2]}`);
  return out;
}

const stripQuery = (u: string) => u.replace(/\?.*$/, '');
const asRequest = (r: ResultsRecord) => `${stripQuery(r.url)} @${r.byteRange ? r.byteRange.split('-')[0] : 0}`;

async function records(file: string): Promise<ResultsRecord[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as ResultsRecord);
}

describe('prewarm HLS and DASH', () => {
  let root: string;
  let work: string;
  let origin: RunningOrigin;
  const log: RequestLogEntry[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'streaming-prewarm-'));
    work = await mkdtemp(join(tmpdir(), 'streaming-prewarm-out-'));
    await makeClip(join(root, 'videos', 'a.mp4'), { seconds: 2, size: '320x180' });
    await makeClip(join(root, 'videos', 'b b.mp4'), { seconds: 2, size: '240x136', audio: false });
    await writeFile(join(root, 'poster.jpg'), 'an image, not streamed');
    origin = await startOrigin({ root, cacheDir: join(work, 'cache'), streaming: { segmentSeconds: 1 }, onRequest: (e) => log.push(e) });
  });
  afterAll(async () => {
    await origin?.close();
    for (const d of [root, work]) await rm(d, { recursive: true, force: true });
  });

  const prewarm = (output: string, ...args: string[]) =>
    runCli(['prewarm', '--remote', 'local', '--bucket', root, '--base-url', `${origin.url}/?token=s3cret`, '--streaming-only', '--workers', '4', '--progress', 'false', '--output', join(work, output), ...args]);

  it('HLS: the master, every playlist, and exactly the init and media segments ffprobe requests; the token on every request', async () => {
    const from = log.length;
    const res = await prewarm('hls.json', '--hls-template', '{base}/{key}/hls/master.m3u8');
    const prewarmLog = log.slice(from);
    expect(res.stderr).toBe('');
    expect(res.code, res.stdout).toBe(0);
    const recs = await records(join(work, 'hls.jsonl'));
    expect(recs.every((r) => r.ok)).toBe(true);
    for (const key of ['videos/a.mp4', 'videos/b b.mp4']) {
      const mine = recs.filter((r) => r.key === key);
      const count = (kind: string) => mine.filter((r) => r.kind === kind).length;
      const audio = key === 'videos/a.mp4' ? 1 : 0;
      expect([count('master'), count('playlist'), count('init')]).toEqual([1, 3 + audio, 3 + audio]);
      const master = mine.find((r) => r.kind === 'master') as ResultsRecord;
      const fromFfprobe = await ffprobeRequests(stripQuery(master.url));
      const warmed = mine.filter((r) => r.kind === 'init' || r.kind === 'segment').map(asRequest);
      expect(warmed.sort()).toEqual([...new Set(fromFfprobe)].sort());
      // Each segment names its rendition and its media sequence number.
      for (const s of mine.filter((r) => r.kind === 'segment')) {
        expect(s.rendition).toMatch(/^hls (\d+x\d+|audio)$/);
        expect(s.derivative).toBe(`${s.rendition} #${s.sequence}`);
      }
    }
    // The token reached every request (relative URIs resolved with the playlist URL's query), and no record holds it.
    expect(prewarmLog.length).toBe(recs.length);
    expect(prewarmLog.every((e) => e.url.includes('token=s3cret'))).toBe(true);
    expect(await readFile(join(work, 'hls.json'), 'utf8')).not.toContain('s3cret');
    // Statistics group segments by rendition, not one row per segment.
    const summary = JSON.parse(await readFile(join(work, 'hls.summary.json'), 'utf8'));
    const groups = Object.keys(summary.stats.byDerivative);
    expect(groups).toEqual(expect.arrayContaining(['hls master', 'hls audio']));
    expect(groups.filter((g) => g !== 'hls master' && g !== 'hls audio').every((g) => /^hls \d+x\d+$/.test(g))).toBe(true);
    expect(groups.length).toBeLessThanOrEqual(8);
  });

  it('a second run sees every playlist and segment as a HIT, and --verify agrees', async () => {
    const res = await prewarm('hls-again.json', '--hls-template', '{base}/{key}/hls/master.m3u8', '--verify', '--min-hit-ratio', '1');
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/verify: (\d+) of \1 URL\(s\) HIT \(100\.0%\)/);
    const recs = await records(join(work, 'hls-again.jsonl'));
    expect(recs.length).toBeGreaterThan(20);
    expect(recs.filter((r) => r.cacheStatus !== 'hit').map((r) => r.url)).toEqual([]);
  });

  it('--resume takes up the run: nothing warmed twice, the playlists read again only to find the segments', async () => {
    const before = (await records(join(work, 'hls.jsonl'))).length;
    const from = log.length;
    const res = await prewarm('hls.json', '--hls-template', '{base}/{key}/hls/master.m3u8', '--resume');
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/prewarm: 0 request\(s\)/);
    expect((await records(join(work, 'hls.jsonl'))).length).toBe(before);
    const summary = JSON.parse(await readFile(join(work, 'hls.summary.json'), 'utf8'));
    expect([summary.interrupted, summary.requests, summary.totalRecords]).toEqual([false, 0, before]);
    const again = log.slice(from).map((e) => e.url);
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((u) => u.includes('.m3u8'))).toBe(true);
  });

  it('byte ranges: --renditions lowest warms the lowest variant and its audio, each range as the playlist gives it', async () => {
    const res = await prewarm('br.json', '--hls-template', '{base}/{key}/hls/byterange/master.m3u8', '--renditions', 'lowest');
    expect(res.code, res.stdout).toBe(0);
    const mine = (await records(join(work, 'br.jsonl'))).filter((r) => r.key === 'videos/a.mp4');
    expect(mine.filter((r) => r.kind === 'playlist').map((r) => r.url.replace(/\?.*/, '').split('/hls/')[1])).toEqual(['byterange/v2/index.m3u8']);
    const segs = mine.filter((r) => r.kind === 'init' || r.kind === 'segment');
    expect(segs.every((r) => r.status === 206 && /^\d+-\d+$/.test(r.byteRange ?? ''))).toBe(true);
    expect(segs.every((r) => r.bytesReceived === Number(r.byteRange?.split('-')[1]) - Number(r.byteRange?.split('-')[0]) + 1)).toBe(true);
    const url = `${origin.url}/videos/a.mp4/hls/byterange/v2/index.m3u8`;
    expect(segs.map(asRequest).sort()).toEqual([...new Set(await ffprobeRequests(url))].sort());
    // verify asks for each range the results recorded, not the whole file.
    const from = log.length;
    const v = await runCli(['verify', '--results-file', join(work, 'br.json'), '--base-url', `${origin.url}/?token=s3cret`, '--output', join(work, 'br-verify.md'), '--progress', 'false']);
    expect(v.code, v.stderr + v.stdout).toBe(0);
    const asked = log.slice(from).filter((e) => e.url.includes('/byterange/') && !e.url.includes('.m3u8'));
    const recorded = (await records(join(work, 'br.jsonl'))).filter((r) => r.byteRange);
    expect(asked).toHaveLength(recorded.length);
    expect(asked.map((e) => `${stripQuery(e.url)} ${e.range}`).sort()).toEqual(recorded.map((r) => `${stripQuery(new URL(r.url).pathname)} bytes=${r.byteRange}`).sort());
  });

  it('DASH: the MPD and the init and media segments of the chosen representations (--renditions 2), as ffprobe requests them', async () => {
    const res = await prewarm('dash.json', '--dash-template', '{base}/{key}/dash/manifest.mpd', '--renditions', '2');
    expect(res.code, res.stdout).toBe(0);
    const mine = (await records(join(work, 'dash.jsonl'))).filter((r) => r.key === 'videos/a.mp4');
    expect(mine.filter((r) => r.kind === 'master').map((r) => r.derivative)).toEqual(['dash mpd']);
    const renditions = [...new Set(mine.filter((r) => r.rendition).map((r) => r.rendition))];
    expect(renditions).toHaveLength(3); // the two highest video representations and the audio
    const all = await ffprobeRequests(`${origin.url}/videos/a.mp4/dash/manifest.mpd`);
    // Representation 2 (the lowest) is the one left out.
    const wanted = all.filter((u) => !/stream2[-.]/.test(u));
    expect(mine.filter((r) => r.kind !== 'master').map(asRequest).sort()).toEqual([...new Set(wanted)].sort());
  });

  it('fails the run for a missing master or a body that is not a playlist; bad flags are usage errors', async () => {
    const missing = await prewarm('missing.json', '--hls-template', '{base}/{key}/hls/nope.m3u8');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/client_error 2/);
    const wrong = await prewarm('wrong.json', '--hls-template', '{base}/{key}');
    expect(wrong.code).toBe(1);
    const recs = await records(join(work, 'wrong.jsonl'));
    expect(recs.map((r) => [r.kind, r.status, r.ok, r.errorClass])).toEqual([
      ['master', 200, false, 'invalid_playlist'],
      ['master', 200, false, 'invalid_playlist'],
    ]);
    expect(recs[0].errorMessage).toMatch(/^not an HLS playlist \(the body starts "/);
    for (const [args, message] of [
      [['--hls-template', '{base}/master.m3u8'], /--hls-template: the template needs \{key\} or \{stem\}/],
      [['--dash-template', '{base}/{key}/{derivative}.mpd'], /--dash-template: unknown placeholder \{derivative\}/],
      [['--hls-template', '{base}/{key}/hls/master.m3u8', '--renditions', 'best'], /--renditions/],
      [[], /--streaming-only needs --hls-template or --dash-template/],
    ] as const) {
      const r = await prewarm('usage.json', ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});
