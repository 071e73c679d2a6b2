// Every stream is kept: each audio track, subtitles (converted to the
// container's text format where needed), cover art, data streams, chapters and
// metadata; what a container cannot hold is dropped only with a --drop-* flag,
// else the file is skipped with the reason and the original is untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { requireTool } from '../lib/tools.js';
import { runTool } from '../media/ffmpeg.js';
import { probeFile, type ProbeInfo } from '../media/probe.js';
import { fileSha1, tortureCorpus } from './torture-corpus.js';

let corpus: { dir: string; sha1: Record<string, string> };
let work: string;
const ffprobe = requireTool('ffprobe');

interface Row { key: string; status: string; reason?: string; dropped?: string; verification?: { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] } }

async function run(name: string, files: string[], extra: string[], paths: string[] = []): Promise<{ code: number; stderr: string; rows: Record<string, Row>; lib: string; out: string }> {
  const lib = join(work, name, 'lib');
  await mkdir(lib, { recursive: true });
  for (const f of files) await cp(join(corpus.dir, f), join(lib, f));
  for (const p of paths) await cp(p, join(lib, basename(p)));
  const out = join(work, name, 'out');
  const report = join(work, name, 'report.json');
  const r = await runCli(['optimize', '--bucket', lib, '--size-threshold', '0', '--codec', 'h264', '--quality', 'efficient', '--preset', 'ultrafast', '--target-resolution', '360p',
    '--workers', '1', '--hardware-acceleration', 'none', '--no-progress', '--manifest', join(work, name, 'manifest.json'), '--report', report, '--optimized-videos-dir', out, ...extra],
  { env: { XDG_CACHE_HOME: join(work, 'cache') } });
  const rows = r.code === 2 ? {} : Object.fromEntries((JSON.parse(await readFile(report, 'utf8')).files as Row[]).map((f) => [f.key, f]));
  return { code: r.code, stderr: r.stderr, rows, lib, out };
}

const roles = (p: ProbeInfo) => p.streams.map((s) => (s.type === 'video' ? (s.attachedPic ? `cover:${s.codec}` : `video:${s.codec}`) : `${s.type}:${s.codec}${s.language ? `:${s.language}` : ''}`));

beforeAll(async () => {
  corpus = await tortureCorpus();
  work = await mkdtemp(join(tmpdir(), 'mt-streams-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('every stream kept', () => {
  it('MP4 to MP4, whole and in segments: both audio tracks, the subtitles, the cover, chapters, title and creation time', async () => {
    for (const mode of [[], ['--segment-parallel', '--segment-duration', '0.5']]) {
      const r = await run(`mp4-${mode.length}`, ['rich.mp4'], ['--optimize-videos', ...mode]);
      expect(r.code, r.stderr).toBe(0);
      const row = r.rows['rich.mp4'];
      expect(row.status).toBe('optimized');
      const checks = Object.fromEntries(row.verification!.checks.map((c) => [c.name, c]));
      expect(checks.streams).toMatchObject({ ok: true, detail: 'audio 2/2, subtitle 1/1, cover 1/1' });
      expect(checks.languages).toMatchObject({ ok: true, detail: 'audio eng,fra (source eng,fra); subtitle eng (source eng)' });
      expect(checks.chapters).toMatchObject({ ok: true, detail: '2 (source 2)' });
      expect(checks.metadata).toMatchObject({ ok: true, detail: 'title kept, creation_time kept' });
      const p = await probeFile(ffprobe, join(r.out, 'rich.mp4'));
      // the MP4 muxer writes the chapters as a text track again (data:bin_data), as in the source
      expect(roles(p)).toEqual(['video:h264', 'audio:aac:eng', 'audio:aac:fra', 'subtitle:mov_text:eng', 'data:bin_data:eng', 'cover:png']);
      expect(p.tags).toMatchObject({ title: 'Rich clip' });
      expect(p.tags.creation_time).toMatch(/^2024-05-01T10:00:00/);
      expect(await fileSha1(join(r.lib, 'rich.mp4'))).toBe(corpus.sha1['rich.mp4']);
    }
  });

  it('MP4 to MKV converts the MP4 subtitles to SubRip; the cover needs --drop-attachments (ffmpeg 5.1 writes it to MKV as a second video track)', async () => {
    const refused = await run('mkv-refused', ['rich.mp4'], ['--optimize-videos', '--output-format', 'mkv']);
    expect(refused.rows['rich.mp4']).toMatchObject({ status: 'skipped', reason: 'would lose cover #5 (png): mkv cannot hold a png cover picture; --drop-attachments drops it: original kept' });
    const r = await run('mkv', ['rich.mp4'], ['--optimize-videos', '--output-format', 'mkv', '--drop-attachments']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.rows['rich.mp4'].status).toBe('optimized');
    const p = await probeFile(ffprobe, join(r.out, 'rich.mkv'));
    expect(roles(p)).toEqual(['video:h264', 'audio:aac:eng', 'audio:aac:fra', 'subtitle:subrip:eng']);
    expect(p.chapters).toBe(2);
  });

  it('WebM cannot hold cover art: skipped with the reason, or dropped and named with --drop-attachments', async () => {
    const webm = ['--optimize-videos', '--output-format', 'webm', '--codec', 'vp9', '--preset', 'ultrafast'];
    const refused = await run('webm-refused', ['rich.mp4'], webm);
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.rows['rich.mp4']).toMatchObject({ status: 'skipped' });
    expect(refused.rows['rich.mp4'].reason).toBe("would lose cover #5 (png): webm cannot hold a png cover picture; --drop-attachments drops it: original kept");
    expect(refused.stderr).toMatch(/skipped\s+rich\.mp4 .*--drop-attachments drops it/);
    const dropped = await run('webm-dropped', ['rich.mp4'], [...webm, '--drop-attachments']);
    expect(dropped.code, dropped.stderr).toBe(0);
    const row = dropped.rows['rich.mp4'];
    expect(row.status).toBe('optimized');
    expect(row.dropped).toBe('dropped cover #5 (png) (webm cannot hold a png cover picture (--drop-attachments))');
    expect(row.verification!.checks.find((c) => c.name === 'streams')).toMatchObject({ ok: true, detail: 'audio 2/2, subtitle 1/1, cover 0/0 (+1 dropped by flag)' });
    const p = await probeFile(ffprobe, join(dropped.out, 'rich.webm'));
    expect(roles(p)).toEqual(['video:vp9', 'audio:opus:eng', 'audio:opus:fra', 'subtitle:webvtt:eng']);
    expect(await readFile(join(work, 'webm-dropped', 'report.md'), 'utf8').catch(() => '')).toBe(''); // JSON asked for, no Markdown
  });

  it('--drop-subtitles drops the subtitle track and the report names it; the other streams are all kept', async () => {
    const r = await run('drop-subs', ['rich.mp4'], ['--optimize-videos', '--drop-subtitles']);
    expect(r.code, r.stderr).toBe(0);
    const row = r.rows['rich.mp4'];
    expect(row).toMatchObject({ status: 'optimized', dropped: "dropped subtitle #3 (mov_text, 'tx3g', eng) (--drop-subtitles)" });
    expect(row.verification!.checks.find((c) => c.name === 'streams')).toMatchObject({ ok: true, detail: 'audio 2/2, subtitle 0/0 (+1 dropped by flag), cover 1/1' });
    const p = await probeFile(ffprobe, join(r.out, 'rich.mp4'));
    expect(roles(p).filter((x) => x.startsWith('subtitle'))).toEqual([]);
    expect(roles(p).filter((x) => x.startsWith('audio'))).toEqual(['audio:aac:eng', 'audio:aac:fra']);
    expect(await fileSha1(join(r.lib, 'rich.mp4'))).toBe(corpus.sha1['rich.mp4']);
  });

  it('a timecode track is written again from the timecode, in a MOV replaced in place and in an MP4 copy', async () => {
    const inPlace = await run('tmcd-inplace', ['timecode.mov'], ['--optimize-in-place']);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(inPlace.rows['timecode.mov'].status).toBe('replaced');
    expect(inPlace.rows['timecode.mov'].verification!.checks.find((c) => c.name === 'metadata')).toMatchObject({ ok: true, detail: 'timecode kept' });
    const p = await probeFile(ffprobe, join(inPlace.lib, 'timecode.mov'));
    expect(roles(p)).toEqual(['video:h264', 'audio:aac', 'data:unknown:eng']);
    expect(p.streams[2]).toMatchObject({ codecTag: 'tmcd', timecode: '01:00:00:00' });
    const copy = await run('tmcd-mp4', ['timecode.mov'], ['--optimize-videos']);
    expect(copy.rows['timecode.mov'].status).toBe('optimized');
    const mp4 = await probeFile(ffprobe, join(copy.out, 'timecode.mp4'));
    expect(mp4.streams.find((x) => x.codecTag === 'tmcd')?.timecode).toBe('01:00:00:00');
  });

  it('a data stream MP4 cannot hold is dropped only with --drop-data-streams', async () => {
    // MPEG-TS with a private data stream beside the picture (and its clock starting at 1.4 s, as MPEG-TS does)
    const ts = join(work, 'data-stream.ts');
    await writeFile(join(work, 'blob.bin'), Buffer.alloc(4000, 7));
    const made = await runTool(requireTool('ffmpeg'), ['-v', 'error', '-y', '-i', join(corpus.dir, 'anamorphic.mp4'), '-f', 'data', '-i', join(work, 'blob.bin'), '-map', '0', '-map', '1', '-c', 'copy', ts]);
    expect(made.code, made.stderrTail).toBe(0);
    const refused = await run('data-refused', [], ['--optimize-videos', '--extension', 'ts'], [ts]);
    expect(refused.rows['data-stream.ts']).toMatchObject({ status: 'skipped', reason: 'would lose data #1 (bin_data): mp4 cannot hold this data stream; --drop-data-streams drops it: original kept' });
    const dropped = await run('data-dropped', [], ['--optimize-videos', '--extension', 'ts', '--drop-data-streams'], [ts]);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.rows['data-stream.ts']).toMatchObject({ status: 'optimized', dropped: 'dropped data #1 (bin_data) (--drop-data-streams)' });
    expect((dropped.rows['data-stream.ts'] as Row & { ssim: number }).ssim).toBeGreaterThan(0.95);
  });
});

