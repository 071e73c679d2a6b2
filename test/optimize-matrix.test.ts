// Real ffmpeg on tiny lavfi clips: every codec/container pair of the
// compatibility table, the fit modes' exact dimensions, audio copy/encode,
// verification failures. (Hardware encoders: test/optimize-hardware.test.ts, with a fake ffmpeg.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../lib/tools.js';
import { planEncode, type EncodeSettings } from '../optimize/plan.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import { chooseEncoder } from '../optimize/hwaccel.js';
import { probeFile } from '../media/probe.js';
import { checkCompatibility, CONTAINER_CODECS, CRF_TABLE, type CodecName, type ContainerName } from '../optimize/profiles.js';
import { runPool } from '../optimize/pool.js';
import { computeOutputGeometry, FIT_MODES } from '../optimize/dimensions.js';
import { verifyOutput } from '../optimize/verify.js';
import { makeClip, probeJson, truncatedCopy } from './optimize-clips.js';

const ffmpeg = requireTool('ffmpeg');
const ffprobe = requireTool('ffprobe');
const tools = { ffmpeg, ffprobe };
let dir: string;
let cacheHome: string;
let small: string;
let odd: string;
let portrait: string;
let silent: string;

const settings = (codec: CodecName, encoder: string, container: ContainerName, extra: Partial<EncodeSettings> = {}): EncodeSettings => ({
  codec, encoder, container, crf: CRF_TABLE[codec].efficient, preset: 'ultrafast', targetResolution: '360p', fit: 'contain',
  audioProfile: 'medium', threads: 1, ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-matrix-'));
  cacheHome = await mkdtemp(join(tmpdir(), 'mt-cache-'));
  [small, odd, portrait, silent] = await Promise.all([
    makeClip(join(dir, 'small.mp4'), { width: 160, height: 90, seconds: 0.6 }),
    makeClip(join(dir, 'odd.mp4'), { width: 1001, height: 563, seconds: 0.4 }),
    makeClip(join(dir, 'portrait.mp4'), { width: 1080, height: 1920, seconds: 0.5, audio: false }),
    makeClip(join(dir, 'silent.mkv'), { width: 160, height: 90, seconds: 0.5, audio: false }),
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(cacheHome, { recursive: true, force: true });
});

describe('codec and container matrix', () => {
  it('encodes and verifies every pair the table allows', async () => {
    const pairs = (Object.keys(CONTAINER_CODECS) as ContainerName[]).flatMap((container) => CONTAINER_CODECS[container].map((codec) => ({ codec, container })));
    expect(pairs.length).toBe(14);
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
    const source = await probeFile(ffprobe, small);
    const results = await runPool(pairs, 2, async ({ codec, container }) => {
      const { encoder } = await chooseEncoder(ffmpeg, codec, 'none', env);
      const out = join(dir, `m-${codec}.${container}`);
      const plan = planEncode(small, out, source, settings(codec, encoder, container));
      await runFfmpeg(ffmpeg, plan.args);
      const size = (await stat(out)).size;
      const v = await verifyOutput(tools, source, size * 10, out, size, { codec, width: 160, height: 90, maxOutputRatio: 0.95, checkSize: true });
      const p = await probeJson(out);
      return { pair: `${codec}/${container}`, ok: v.ok, failed: v.checks.filter((c) => !c.ok), audio: p.streams.find((s) => s.codec_type === 'audio')?.codec_name };
    });
    for (const r of results) {
      expect(r.failed, r.pair).toEqual([]);
      expect(r.ok, r.pair).toBe(true);
      expect(r.audio, r.pair).toBe(r.pair.endsWith('/webm') ? 'opus' : 'aac');
    }
  });

  it('refuses pairs the table does not allow, naming them', () => {
    expect(() => checkCompatibility('vp8', 'mp4', false)).toThrow(/--codec vp8 cannot go in --output-format mp4/);
    expect(() => checkCompatibility('h264', 'webm', false)).toThrow(/h264 cannot go in --output-format webm/);
    expect(() => checkCompatibility('vp9', 'mov', false)).toThrow(/vp9 cannot go in --output-format mov/);
    expect(() => checkCompatibility('h265', 'mp4', true)).toThrow(/not browser-compatible/);
    expect(() => checkCompatibility('h265', 'mp4', false)).not.toThrow();
  });
});

describe('fit modes on real ffmpeg', () => {
  it('gives exactly the computed dimensions (odd 1001x563 and portrait 1080x1920)', async () => {
    const cases = [
      ...FIT_MODES.map((fit) => ({ src: odd, w: 1001, h: 563, fit, target: '360p' as const })),
      ...FIT_MODES.map((fit) => ({ src: portrait, w: 1080, h: 1920, fit, target: '480p' as const })),
      { src: odd, w: 1001, h: 563, fit: 'contain' as const, target: '1080p' as const },
    ];
    const results = await runPool(cases, 2, async (c, i) => {
      const source = await probeFile(ffprobe, c.src);
      const out = join(dir, `fit-${i}.mp4`);
      const plan = planEncode(c.src, out, source, settings('h264', 'libx264', 'mp4', { fit: c.fit, targetResolution: c.target }));
      await runFfmpeg(ffmpeg, plan.args);
      const p = await probeJson(out);
      const v = p.streams.find((s) => s.codec_type === 'video')!;
      const g = computeOutputGeometry(c.w, c.h, c.target, c.fit);
      return { name: `${c.w}x${c.h} ${c.target} ${c.fit}`, got: [v.width, v.height], want: [g.width, g.height] };
    });
    for (const r of results) expect(r.got, r.name).toEqual(r.want);
    const oddProbe = await probeFile(ffprobe, odd);
    expect([oddProbe.video?.width, oddProbe.video?.height]).toEqual([1001, 563]); // a truly odd source
    // spot values worked out by hand
    expect(results[0].got).toEqual([640, 360]);
    expect(results[4].got).toEqual([480, 854]);
    expect(results[5].got).toEqual([480, 854]);
    expect(results.at(-1)!.got).toEqual([1000, 562]);
  });
});

describe('audio and verification', () => {
  it('copies compliant audio, encodes the rest, and keeps a silent source silent', async () => {
    const aac128 = await makeClip(join(dir, 'aac128.mp4'), { width: 160, height: 90, seconds: 0.5, video: ['-c:v', 'libx264', '-preset', 'ultrafast'] });
    // makeClip writes 192k audio: the medium profile (128k) must re-encode it, the high profile (192k) copies it
    const src = await probeFile(ffprobe, aac128);
    expect(planEncode(aac128, 'x.mp4', src, settings('h264', 'libx264', 'mp4')).audioCopied).toBe(false);
    expect(planEncode(aac128, 'x.mp4', src, settings('h264', 'libx264', 'mp4', { audioProfile: 'high' })).audioCopied).toBe(true);
    const low = planEncode(aac128, 'x.mp4', src, settings('h264', 'libx264', 'mp4', { audioProfile: 'low' })).args.join(' ');
    expect(low).toContain('-map 0:1 -c:1 aac -b:1 96k -ac:1 2 -ar:1 44100');
    const silentProbe = await probeFile(ffprobe, silent);
    const out = join(dir, 'silent-out.webm');
    const plan = planEncode(silent, out, silentProbe, settings('vp9', 'libvpx-vp9', 'webm'));
    expect(plan.args.filter((a) => a === '-map')).toHaveLength(1); // the video alone
    await runFfmpeg(ffmpeg, plan.args);
    const size = (await stat(out)).size;
    const v = await verifyOutput(tools, silentProbe, size * 10, out, size, { codec: 'vp9', width: 160, height: 90, maxOutputRatio: 0.95, checkSize: true });
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.name === 'audio streams')?.detail).toBe('0 (source 0)');
  });

  it('keeps every frame of a variable frame rate source (frame count and duration verify)', async () => {
    const vfr = join(dir, 'vfr.mp4');
    // 30 fps with a half-second pause after frame 20: 60 frames over 2.5 s
    await runFfmpeg(ffmpeg, ['-f', 'lavfi', '-i', "testsrc2=s=160x90:r=30:d=2,setpts='PTS+if(gt(N\\,20)\\,0.5/TB\\,0)'", '-vsync', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', vfr]);
    const source = await probeFile(ffprobe, vfr);
    expect(source.video?.frames).toBe(60);
    const out = join(dir, 'vfr-out.mp4');
    await runFfmpeg(ffmpeg, planEncode(vfr, out, source, settings('h264', 'libx264', 'mp4')).args);
    const size = (await stat(out)).size;
    const v = await verifyOutput(tools, source, size * 10, out, size, { codec: 'h264', width: 160, height: 90, maxOutputRatio: 0.95, checkSize: true });
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.outputFrames).toBe(60);
  });

  it('fails outputs with the wrong size, a truncation, or too many bytes', async () => {
    const source = await probeFile(ffprobe, small);
    const out = join(dir, 'verify.mp4');
    await runFfmpeg(ffmpeg, planEncode(small, out, source, settings('h264', 'libx264', 'mp4')).args);
    const size = (await stat(out)).size;
    const wrongDims = await verifyOutput(tools, source, size * 10, out, size, { codec: 'h264', width: 320, height: 180, maxOutputRatio: 0.95, checkSize: true });
    expect(wrongDims.ok).toBe(false);
    expect(wrongDims.checks.find((c) => !c.ok)?.name).toBe('dimensions');
    const wrongCodec = await verifyOutput(tools, source, size * 10, out, size, { codec: 'h265', width: 160, height: 90, maxOutputRatio: 0.95, checkSize: true });
    expect(wrongCodec.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['codec']);
    const big = await verifyOutput(tools, source, size, out, size, { codec: 'h264', width: 160, height: 90, maxOutputRatio: 0.95, checkSize: true });
    expect(big.ok).toBe(false);
    expect(big.rejectedForSize).toBe(true);
    const cut = await truncatedCopy(out, join(dir, 'verify-cut.mp4'), 0.6);
    const truncated = await verifyOutput(tools, source, size * 10, cut, size, { codec: 'h264', width: 160, height: 90, maxOutputRatio: 0.95, checkSize: true });
    expect(truncated.ok).toBe(false);
    expect(truncated.rejectedForSize).toBe(false);
    expect(truncated.checks.some((c) => !c.ok && ['full decode', 'frame count', 'readable', 'duration'].includes(c.name))).toBe(true);
  });
});
