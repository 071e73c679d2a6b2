// The picture check compares the output with the source as displayed: a
// sideways or squeezed picture (the --segment-parallel rotation bug) scores
// low, a right one high, whichever way the source is turned or stretched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../lib/tools.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import { parseProbe, probeFile, type ProbeInfo } from '../media/probe.js';
import { computeOutputGeometry } from '../optimize/dimensions.js';
import { rotationFilters } from '../optimize/orientation.js';
import { checkPicture, checkWindows, compare, compareArgs, describeScore, listedFilters, parseSsim, parseVmaf } from '../optimize/picture-check.js';
import { outputGeometry, planEncode } from '../optimize/plan.js';
import { makeClip, setRotation } from './optimize-clips.js';
import { runCli } from './helpers/cli.js';

const ffmpeg = requireTool('ffmpeg');
const ffprobe = requireTool('ffprobe');
let dir: string;
let turned: Record<90 | 270, { path: string; probe: ProbeInfo }>;
let anamorphic: { path: string; probe: ProbeInfo };

const settings = { codec: 'h264', encoder: 'libx264', crf: 23, preset: 'ultrafast', targetResolution: '360p', fit: 'contain', audioProfile: 'medium', container: 'mp4', threads: 1 } as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-picture-'));
  const made = await Promise.all([90, 270].map(async (deg) => {
    const path = await setRotation(await makeClip(join(dir, `r${deg}.mp4`), { width: 320, height: 180, seconds: 1, audio: false }), deg as 90 | 270);
    return [deg, { path, probe: await probeFile(ffprobe, path) }] as const;
  }));
  turned = Object.fromEntries(made) as typeof turned;
  const anam = await makeClip(join(dir, 'anamorphic.mp4'), { width: 240, height: 180, seconds: 1, audio: false, video: ['-vf', 'setsar=4/3', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12'] });
  anamorphic = { path: anam, probe: await probeFile(ffprobe, anam) };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('what the picture check compares', () => {
  it('reads a phone video\'s display matrix and a non-square sample aspect as displayed', () => {
    expect(turned[90].probe.video).toMatchObject({ width: 320, height: 180, rotation: 90, rotationSource: 'displaymatrix', displayWidth: 180, displayHeight: 320 });
    expect(turned[270].probe.video).toMatchObject({ rotation: 270, displayWidth: 180, displayHeight: 320 });
    expect(rotationFilters(turned[90].probe.video!)).toEqual(['transpose=clock']);
    expect(rotationFilters(turned[270].probe.video!)).toEqual(['transpose=cclock']);
    expect(anamorphic.probe.video).toMatchObject({ width: 240, height: 180, displayWidth: 320, displayHeight: 180 });
    // a legacy rotate tag (old ffprobe, or copied into MKV) counts too
    const tagged = parseProbe(JSON.stringify({ format: {}, streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 640, height: 360, tags: { rotate: '90' } }] }));
    expect(tagged.video).toMatchObject({ rotation: 90, rotationSource: 'tag', displayWidth: 360, displayHeight: 640 });
  });

  it('compares short files whole and long ones in 5 windows spread over the file', () => {
    expect(checkWindows(12, false)).toEqual([undefined]);
    expect(checkWindows(600, true)).toEqual([undefined]);
    expect(checkWindows(120, false)).toEqual([
      { startSec: 19, durationSec: 2 }, { startSec: 39, durationSec: 2 }, { startSec: 59, durationSec: 2 }, { startSec: 79, durationSec: 2 }, { startSec: 99, durationSec: 2 },
    ]);
  });

  it('reads the scores ffmpeg prints', () => {
    expect(parseSsim('[Parsed_ssim_4 @ 0x5] SSIM Y:0.991 (20.5) U:0.99 (20) V:0.99 (20) All:0.990123 (20.0)')).toBe(0.990123);
    expect(parseVmaf('[Parsed_libvmaf_9 @ 0x55d] VMAF score: 93.456789')).toBe(93.456789);
    expect(parseSsim('nothing')).toBeUndefined();
  });

  it('builds one graph with SSIM and VMAF side by side when ffmpeg has libvmaf', () => {
    const v = turned[90].probe.video!;
    const g = outputGeometry(v, settings);
    const args = compareArgs({ path: 's.mp4', video: v, seek: { startSec: 10, durationSec: 2 } }, { path: 'o.mp4', video: { index: 0, displayWidth: 180, displayHeight: 320 }, seek: { startSec: 10, durationSec: 2 } }, g, { vmaf: true, threads: 2 });
    const graph = args[args.indexOf('-lavfi') + 1];
    expect(graph).toBe('[0:0]scale=180:320:flags=bicubic,setsar=1,format=yuv420p,setpts=PTS-STARTPTS,split[d1][d2];' +
      '[1:0]scale=180:320:flags=bicubic,setsar=1,format=yuv420p,setpts=PTS-STARTPTS,split[r1][r2];[d1][r1]ssim;[d2][r2]libvmaf=n_threads=2');
    // both inputs read the same window; the source is turned by ffmpeg's own autorotate (no -autorotate 0)
    expect(args.join(' ')).toContain('-threads 2 -ss 10.000 -t 2.000 -i o.mp4 -threads 2 -ss 10.000 -t 2.000 -i s.mp4');
    expect(args).not.toContain('-autorotate');
    expect(compareArgs({ path: 's', video: v }, { path: 'o', video: { index: 0, displayWidth: 180, displayHeight: 320 } }, g, { vmaf: false }).join(' ')).toMatch(/\[d\]\[r\]ssim -f null -$/);
  });

  it('knows whether this ffmpeg has libvmaf (doctor shows it); SSIM is always there', async () => {
    const filters = await listedFilters(ffmpeg);
    expect(filters.has('ssim')).toBe(true);
    expect(filters.has('scale')).toBe(true);
  });
});

describe('scores on real encodes', () => {
  for (const deg of [90, 270] as const) {
    it(`a source turned ${deg}°: upright output scores high; sideways or squeezed ones score low`, async () => {
      const src = turned[deg];
      const v = src.probe.video!;
      const g = outputGeometry(v, settings);
      expect([g.width, g.height]).toEqual([180, 320]); // never upscaled
      // the encode as planned: ffmpeg turns the picture, the output has no display matrix
      const good = join(dir, `good-${deg}.mp4`);
      await runFfmpeg(ffmpeg, planEncode(src.path, good, src.probe, settings).args);
      const goodProbe = await probeFile(ffprobe, good);
      expect(goodProbe.video).toMatchObject({ width: 180, height: 320, rotation: 0 });
      const ok = await checkPicture(ffmpeg, { path: src.path, video: v }, { path: good, video: goodProbe.video! }, g, src.probe.durationSec, { vmaf: false, full: false });
      expect(ok.ssim).toBeGreaterThan(0.95);
      expect(ok.method).toBe('whole file');
      expect(describeScore(ok)).toMatch(/^SSIM 0\.9\d{3} \(whole file\)$/);
      // what --segment-parallel did before: the split lost the matrix, the landscape picture was squeezed into portrait
      const squeezed = join(dir, `squeezed-${deg}.mkv`);
      await runFfmpeg(ffmpeg, ['-autorotate', '0', '-i', src.path, '-vf', `scale=${g.width}:${g.height},setsar=1`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-f', 'matroska', squeezed]);
      const bad = await compare(ffmpeg, { path: src.path, video: v }, { path: squeezed, video: { index: 0, displayWidth: g.width, displayHeight: g.height } }, g, { vmaf: false });
      expect(bad.ssim).toBeLessThan(0.6);
      // turned the wrong way: upside down
      const wrongWay = join(dir, `wrong-${deg}.mkv`);
      await runFfmpeg(ffmpeg, ['-autorotate', '0', '-i', src.path, '-vf', `${deg === 90 ? 'transpose=cclock' : 'transpose=clock'},scale=${g.width}:${g.height},setsar=1`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', wrongWay]);
      const upsideDown = await compare(ffmpeg, { path: src.path, video: v }, { path: wrongWay, video: { index: 0, displayWidth: g.width, displayHeight: g.height } }, g, { vmaf: false });
      expect(upsideDown.ssim).toBeLessThan(0.6);
    });
  }

  it('a non-square source is compared as displayed: stretched right scores high, stored pixels taken as square score low', async () => {
    const v = anamorphic.probe.video!;
    const g = computeOutputGeometry(v.displayWidth, v.displayHeight, '360p', 'contain');
    expect([g.width, g.height]).toEqual([320, 180]);
    const good = join(dir, 'anam-good.mp4');
    await runFfmpeg(ffmpeg, planEncode(anamorphic.path, good, anamorphic.probe, settings).args);
    const goodProbe = await probeFile(ffprobe, good);
    expect(goodProbe.video).toMatchObject({ width: 320, height: 180, sar: 1 });
    const ok = await compare(ffmpeg, { path: anamorphic.path, video: v }, { path: good, video: goodProbe.video! }, g, { vmaf: false });
    expect(ok.ssim).toBeGreaterThan(0.95);
    // the right size, but the stored 240x180 taken as square pixels and pillarboxed: the picture is too narrow
    const narrow = join(dir, 'anam-narrow.mkv');
    await runFfmpeg(ffmpeg, ['-i', anamorphic.path, '-vf', 'scale=240:180,setsar=1,pad=320:180:40:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', narrow]);
    const np = await probeFile(ffprobe, narrow);
    expect(np.video).toMatchObject({ displayWidth: 320, displayHeight: 180 });
    const narrowScore = await compare(ffmpeg, { path: anamorphic.path, video: v }, { path: narrow, video: np.video! }, g, { vmaf: false });
    expect(narrowScore.ssim).toBeLessThan(0.8);
  });
});

describe('the picture check through the CLI', () => {
  it('a file over 20 s is checked in 5 windows named in the report; --full-quality-check compares it whole', async () => {
    const lib = join(dir, 'long-lib');
    await makeClip(join(lib, 'long.mp4'), { width: 160, height: 90, seconds: 24, fps: 10, audio: false });
    const run = async (name: string, extra: string[]) => {
      const report = join(dir, `${name}.md`);
      const r = await runCli(['optimize', '--bucket', lib, '--size-threshold', '0', '--optimize-videos', '--optimized-videos-dir', join(dir, `${name}-out`), '--codec', 'h264',
        '--quality', 'efficient', '--preset', 'ultrafast', '--target-resolution', '360p', '--hardware-acceleration', 'none', '--workers', '1', '--no-progress',
        '--manifest', join(dir, `${name}-manifest.json`), '--report', report, ...extra], { env: { XDG_CACHE_HOME: join(dir, 'cache') } });
      expect(r.code, r.stderr).toBe(0);
      const row = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')).files[0];
      return { row, md: await readFile(report, 'utf8') };
    };
    const sampled = await run('sampled', []);
    expect(sampled.row.status).toBe('optimized');
    expect(sampled.row.picture.method).toBe('sampled windows');
    // centred at 1/6 ... 5/6 of 24 s
    expect(sampled.row.picture.windows.map((w: { startSec: number; durationSec: number }) => [w.startSec, w.durationSec])).toEqual([[3, 2], [7, 2], [11, 2], [15, 2], [19, 2]]);
    expect(sampled.row.ssim).toBe(Math.min(...sampled.row.picture.windows.map((w: { ssim: number }) => w.ssim)));
    expect(sampled.row.ssim).toBeGreaterThan(0.95);
    expect(sampled.md).toMatch(/- picture: SSIM 0\.\d{4} \(lowest of 5 windows: 3\.0-5\.0 s 0\.\d{4}, 7\.0-9\.0 s .*19\.0-21\.0 s 0\.\d{4}\), checked in [\d.]+ s/);
    const full = await run('full', ['--full-quality-check']);
    expect(full.row.picture.method).toBe('whole file');
    expect(full.row.picture.windows).toHaveLength(1);
    expect(full.md).toMatch(/- picture: SSIM 0\.\d{4} \(whole file\)/);
  });
});
