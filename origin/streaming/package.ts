// Packages a source video for streaming, once, into a folder laid out like the
// URLs that serve it:
//   cmaf/    ffmpeg's DASH muxer output: CMAF init and media segments of the ladder
//            (three video renditions, one audio), shared by HLS and DASH
//   hls/     master.m3u8 (measured BANDWIDTH) and media_N.m3u8 pointing at ../cmaf/
//   dash/    manifest.mpd (SegmentTemplate + SegmentTimeline) with BaseURL ../cmaf/
//   hls/ts/          the ladder remuxed to MPEG-TS segments (no re-encode)
//   hls/byterange/   the ladder remuxed to one fMP4 file per rendition, EXT-X-BYTERANGE
// One encode per source; the TS and byte-range forms are remuxes of it.
// Rendered into a temp folder renamed into place, so a package is whole or absent;
// concurrent first requests share one render; packages survive restarts.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { requireTool } from '../../lib/tools.js';
import { errorSummary, runTool } from '../../media/ffmpeg.js';
import { probeFile } from '../../media/probe.js';
import { fnv1a } from '../../common/fnv1a.js';
import { parseMasterPlaylist, parseMediaPlaylist, type HlsSegment } from '../../common/playlist/hls.js';
import { ladderFor, type Rung } from './ladder.js';
import { averageBitrate, peakBitrate, rebaseMpd, writeMasterPlaylist, writeMediaPlaylist, type MasterVariant } from './playlists.js';

/** Bumped when the layout or the encode changes, so old packages are not served. */
const PACKAGE_VERSION = 2;

export interface PackageOptions {
  /** Target segment length, seconds (keyframes are forced on this grid). */
  segmentSeconds: number;
  ffmpegPath?: string;
  ffprobePath?: string;
}

export interface PackagedRendition extends Rung {
  codecs: string;
  /** Measured peak and average bits per second of the CMAF form, audio included. */
  bandwidth: number;
  averageBandwidth: number;
}

/** What a finished package holds (its streaming.json). */
export interface StreamingPackage {
  version: number;
  segmentSeconds: number;
  renditions: PackagedRendition[];
  audio: boolean;
  /** The longest rendition (video or audio), seconds: the loop period of --live. */
  durationSec: number;
}

export interface PackageRequest {
  sourcePath: string;
  key: string;
  sourceSize: number;
  sourceMtimeMs: number;
}

async function run(bin: string, args: string[]): Promise<void> {
  const res = await runTool(bin, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { timeoutMs: 600_000 });
  if (res.code !== 0) throw new Error(`ffmpeg failed: ${errorSummary(res.stderrTail, 2)}`);
}

async function sized(dir: string, segments: HlsSegment[]): Promise<{ bytes: number; duration: number }[]> {
  return Promise.all(segments.map(async (s) => ({ bytes: s.byteRange ? s.byteRange.length : (await stat(join(dir, s.uri))).size, duration: s.duration })));
}

async function readMedia(path: string): Promise<{ targetDuration: number; segments: HlsSegment[] }> {
  const { info, segments } = parseMediaPlaylist(await readFile(path, 'utf8'));
  return { targetDuration: info.targetDuration ?? Math.ceil(Math.max(...segments.map((s) => s.duration))), segments };
}

const vod = (targetDuration: number) => ({ targetDuration, mediaSequence: 0, discontinuitySequence: 0, vod: true });

/** ffmpeg stamps its wall clock on each segment (EXT-X-PROGRAM-DATE-TIME); a VOD playlist has no date. */
const undated = (segments: HlsSegment[]): HlsSegment[] => segments.map(({ programDateTime: _drop, ...s }) => s);

/**
 * Segments are a whole number of frames long: a keyframe every `frames` frames, and
 * the muxers told to cut half a frame earlier than that, so they cut at every one of
 * them (at 25 fps, 0.5 s segments would otherwise become 0.52 + 1.0 + 0.48 s: the
 * muxer cuts only once `seg` seconds have passed, and no frame falls on 0.5 s).
 */
export function segmentGrid(seconds: number, fps: number): { frames: number; seconds: number; cutAfter: number } {
  const rate = fps > 0 ? fps : 25;
  const frames = Math.max(1, Math.round(seconds * rate));
  return { frames, seconds: frames / rate, cutAfter: (frames - 0.5) / rate };
}

/** Encodes the ladder with ffmpeg's DASH muxer (CMAF segments, MPD and HLS playlists in one pass). */
function encodeArgs(req: PackageRequest, ladder: Rung[], audio: boolean, grid: ReturnType<typeof segmentGrid>, out: string): string[] {
  const split = ladder.map((_, i) => `[s${i}]`).join('');
  const scales = ladder.map((r, i) => `[s${i}]scale=${r.width}:${r.height}[v${i}]`).join(';');
  const args = ['-i', req.sourcePath, '-filter_complex', `[0:v:0]split=${ladder.length}${split};${scales}`];
  ladder.forEach((_, i) => args.push('-map', `[v${i}]`));
  if (audio) args.push('-map', '0:a:0');
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-sc_threshold', '0', '-force_key_frames', `expr:eq(mod(n,${grid.frames}),0)`);
  ladder.forEach((r, i) => args.push(`-b:v:${i}`, String(r.bitrate), `-maxrate:v:${i}`, String(r.bitrate), `-bufsize:v:${i}`, String(r.bitrate)));
  if (audio) args.push('-c:a', 'aac', '-b:a', '64k', '-ac', '2', '-ar', '48000');
  args.push(
    '-f', 'dash', '-seg_duration', grid.cutAfter.toFixed(6), '-use_template', '1', '-use_timeline', '1', '-hls_playlist', '1',
    '-adaptation_sets', audio ? 'id=0,streams=v id=1,streams=a' : 'id=0,streams=v',
    join(out, 'manifest.mpd'),
  );
  return args;
}

export interface Packager {
  /** The package folder for a source (packaging it on first call) and what it holds. */
  packageFor(req: PackageRequest): Promise<{ dir: string; pkg: StreamingPackage }>;
  /** How many packages were actually made by ffmpeg (for tests). */
  packaged(): number;
}

export function createPackager(root: () => Promise<string>, opts: PackageOptions): Packager {
  const inFlight = new Map<string, Promise<{ dir: string; pkg: StreamingPackage }>>();
  let count = 0;
  // One packaging at a time: each ffmpeg already encodes three renditions on every core.
  let queue: Promise<unknown> = Promise.resolve();

  const make = async (req: PackageRequest, dir: string): Promise<StreamingPackage> => {
    const ffmpeg = opts.ffmpegPath ?? requireTool('ffmpeg');
    const ffprobe = opts.ffprobePath ?? requireTool('ffprobe');
    const info = await probeFile(ffprobe, req.sourcePath);
    if (!info.video) throw new Error(`${req.key} has no video stream to stream`);
    const ladder = ladderFor(info.video);
    const audio = info.audioStreams > 0;
    const grid = segmentGrid(opts.segmentSeconds, info.video.fps);
    const tmp = `${dir}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
    try {
      const cmaf = join(tmp, 'cmaf');
      await mkdir(cmaf, { recursive: true });
      count++;
      await run(ffmpeg, encodeArgs(req, ladder, audio, grid, cmaf));

      // ffmpeg's own playlists move aside (kept for reference); the served ones are written from them.
      const raw = join(tmp, 'ffmpeg');
      await mkdir(raw);
      for (const f of await readdir(cmaf)) if (!f.endsWith('.m4s')) await rename(join(cmaf, f), join(raw, f));
      const master = parseMasterPlaylist(await readFile(join(raw, 'master.m3u8'), 'utf8'));
      if (master.variants.length !== ladder.length) throw new Error(`ffmpeg wrote ${master.variants.length} variants, expected ${ladder.length}`);
      const audioUri = audio ? `media_${ladder.length}.m3u8` : undefined;
      const audioPl = audioUri ? await readMedia(join(raw, audioUri)) : undefined;
      const audioSizes = audioPl ? await sized(cmaf, audioPl.segments) : [];
      const audioPeak = audioPl ? peakBitrate(audioSizes, audioPl.targetDuration) : 0;

      await mkdir(join(tmp, 'hls'));
      const renditions: PackagedRendition[] = [];
      const mpdBandwidth: Record<string, number> = {};
      let durationSec = 0;
      for (let i = 0; i < ladder.length; i++) {
        const pl = await readMedia(join(raw, `media_${i}.m3u8`));
        const sizes = await sized(cmaf, pl.segments);
        durationSec = Math.max(durationSec, pl.segments.reduce((a, s) => a + s.duration, 0));
        const videoPeak = peakBitrate(sizes, pl.targetDuration);
        mpdBandwidth[String(i)] = videoPeak;
        renditions.push({
          ...ladder[i],
          codecs: master.variants[i].codecs ?? '',
          bandwidth: videoPeak + audioPeak,
          averageBandwidth: averageBitrate(sizes) + averageBitrate(audioSizes),
        });
        await writeFile(join(tmp, 'hls', `media_${i}.m3u8`), writeMediaPlaylist(vod(pl.targetDuration), undated(pl.segments), (u) => `../cmaf/${u}`));
      }
      if (audioPl && audioUri) {
        durationSec = Math.max(durationSec, audioPl.segments.reduce((a, s) => a + s.duration, 0));
        mpdBandwidth[String(ladder.length)] = audioPeak;
        await writeFile(join(tmp, 'hls', audioUri), writeMediaPlaylist(vod(audioPl.targetDuration), undated(audioPl.segments), (u) => `../cmaf/${u}`));
      }
      const fps = info.video.fps > 0 ? info.video.fps : undefined;
      const variants = (uri: (i: number) => string, bw?: (i: number) => { bandwidth: number; averageBandwidth: number }): MasterVariant[] =>
        renditions.map((r, i) => ({ uri: uri(i), ...(bw ? bw(i) : r), width: r.width, height: r.height, frameRate: fps, codecs: r.codecs }));
      await writeFile(
        join(tmp, 'hls', 'master.m3u8'),
        writeMasterPlaylist(
          variants((i) => `media_${i}.m3u8`).map((v) => (audioUri ? { ...v, audioGroup: 'audio' } : v)),
          audioUri ? { groupId: 'audio', name: 'audio', uri: audioUri, channels: 2 } : undefined,
        ),
      );
      await mkdir(join(tmp, 'dash'));
      await writeFile(join(tmp, 'dash', 'manifest.mpd'), rebaseMpd(await readFile(join(raw, 'manifest.mpd'), 'utf8'), '../cmaf/', mpdBandwidth));

      // The TS and byte-range forms: each rendition (with the audio) remuxed, no re-encode.
      // Remuxes are light (stream copy): all of them at once.
      const remux = async (form: 'ts' | 'byterange', i: number): Promise<{ bandwidth: number; averageBandwidth: number }> => {
        const out = join(tmp, 'hls', form, `v${i}`);
        await mkdir(out, { recursive: true });
        const inputs = ['-i', join(tmp, 'hls', `media_${i}.m3u8`)];
        const maps = ['-map', '0:v:0'];
        if (audioUri) {
          inputs.push('-i', join(tmp, 'hls', audioUri));
          maps.push('-map', '1:a:0');
        }
        const muxer =
          form === 'ts'
            ? ['-hls_segment_type', 'mpegts', '-hls_segment_filename', join(out, 'seg-%05d.ts')]
            : ['-hls_segment_type', 'fmp4', '-hls_flags', 'single_file', '-hls_segment_filename', join(out, 'media.mp4')];
        await run(ffmpeg, [...inputs, ...maps, '-c', 'copy', '-f', 'hls', '-hls_time', grid.cutAfter.toFixed(6), '-hls_playlist_type', 'vod', ...muxer, join(out, 'ffmpeg.m3u8')]);
        const pl = await readMedia(join(out, 'ffmpeg.m3u8'));
        const sizes = await sized(out, pl.segments);
        await writeFile(join(out, 'index.m3u8'), writeMediaPlaylist(vod(pl.targetDuration), undated(pl.segments)));
        await rename(join(out, 'ffmpeg.m3u8'), join(raw, `${form}-v${i}.m3u8`));
        return { bandwidth: peakBitrate(sizes, pl.targetDuration), averageBandwidth: averageBitrate(sizes) };
      };
      for (const form of ['ts', 'byterange'] as const) {
        const measured = await Promise.all(ladder.map((_, i) => remux(form, i)));
        await writeFile(join(tmp, 'hls', form, 'master.m3u8'), writeMasterPlaylist(variants((i) => `v${i}/index.m3u8`, (i) => measured[i])));
      }
      const pkg: StreamingPackage = { version: PACKAGE_VERSION, segmentSeconds: grid.seconds, renditions, audio, durationSec };
      await writeFile(join(tmp, 'streaming.json'), `${JSON.stringify(pkg, null, 2)}\n`);
      try {
        await rename(tmp, dir);
      } catch (err) {
        // Another origin sharing the cache folder finished the same package first: serve theirs.
        const theirs = await readFile(join(dir, 'streaming.json'), 'utf8').catch(() => undefined);
        if (!theirs) throw err;
        await rm(tmp, { recursive: true, force: true });
        return JSON.parse(theirs) as StreamingPackage;
      }
      return pkg;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  };

  const load = async (req: PackageRequest): Promise<{ dir: string; pkg: StreamingPackage }> => {
    const base = await root();
    const tid = JSON.stringify([PACKAGE_VERSION, req.key, req.sourceSize, Math.round(req.sourceMtimeMs), opts.segmentSeconds]);
    const id = `${fnv1a(tid).toString(16).padStart(8, '0')}${fnv1a(tid, 0x1234567).toString(16).padStart(8, '0')}`;
    const dir = join(base, id);
    const existing = await readFile(join(dir, 'streaming.json'), 'utf8').catch(() => undefined);
    if (existing) return { dir, pkg: JSON.parse(existing) as StreamingPackage };
    await mkdir(base, { recursive: true });
    const job = queue.then(() => make(req, dir));
    queue = job.catch(() => undefined);
    return { dir, pkg: await job };
  };

  // A source ffmpeg could not package is not tried again on every request for a while.
  const failed = new Map<string, { at: number; error: unknown }>();
  const RETRY_FAILED_MS = 30_000;

  return {
    packageFor(req) {
      const k = JSON.stringify([req.key, req.sourceSize, Math.round(req.sourceMtimeMs)]);
      const f = failed.get(k);
      if (f && Date.now() - f.at < RETRY_FAILED_MS) return Promise.reject(f.error);
      let p = inFlight.get(k);
      if (!p) {
        p = load(req).finally(() => inFlight.delete(k));
        p.catch((error: unknown) => {
          if (failed.size >= 1000) failed.delete(failed.keys().next().value as string);
          failed.set(k, { at: Date.now(), error });
        });
        inFlight.set(k, p);
      }
      return p;
    },
    packaged: () => count,
  };
}
