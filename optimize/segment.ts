// --segment-parallel: split a long source at keyframes (stream copy), encode
// the segments in parallel, then join them with the concat demuxer and mux the
// other streams back in (audio encoded once, whole, alongside the segments;
// subtitles, cover, data, chapters and metadata from the source at the join).
// The split loses the display matrix (Matroska segments do not carry it), so
// every segment is turned upright explicitly from the source's probe.
//
// As Av1an does, the segments ("chunks") live in a folder of their own beside
// the manifest: a segment is renamed to its final name only when its encode
// finished, so a file retried after a failure or a crash reuses the split and
// every finished segment (the folder is reused only when it was made from the
// same source with the same settings). One failing segment stops the others
// and ends their processes. Every segment encoder holds its threads in the
// run's CPU budget, so workers and segments together stay within the cores.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commandLine, ffmpegArgv, runFfmpeg, type FfmpegProgress } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe.js';
import type { CpuBudget } from './cpu-budget.js';
import type { OutputGeometry } from './dimensions.js';
import { crashPoint } from './manifest.js';
import { exists } from './paths.js';
import { containerArgs, otherStreamArgs, outputGeometry, planEncode, type EncodeSettings } from './plan.js';
import { runPoolFailFast } from './pool.js';
import { MUXER } from './profiles.js';
import { timecodeArgs, withIndex, type StreamPlan } from './streams.js';

export interface SegmentOptions {
  segmentSec: number;
  /** Segments encoded at once at most (the CPU budget bounds the threads in use). */
  workers: number;
  /** This file's chunk folder: kept when the file fails, reused when it is retried. */
  chunkDir: string;
  /** What the chunks are made from and how (source identity); a chunk folder made otherwise is emptied first. */
  identity: string;
  streams: StreamPlan;
  budget: CpuBudget;
  signal?: AbortSignal;
  /** Progress: source seconds and frames encoded so far, all segments together. */
  onProgress?: (doneSec: number, frames: number) => void;
}

export interface SegmentResult {
  geometry: OutputGeometry;
  segments: number;
  /** Segments a previous attempt had finished, used as they were. */
  reused: number;
  /** Every ffmpeg command run, in order, for the report. */
  commands: string[];
}

/** The source has fewer keyframes than it takes to make two segments: encode it whole. */
export class TooFewKeyframes extends Error {
  override name = 'TooFewKeyframes';
}

/** Quotes a path for a concat demuxer list file. */
export function concatLine(path: string): string {
  return `file '${path.replace(/'/g, `'\\''`)}'`;
}

/** Where each segment starts in the source, from the segment muxer's CSV list ("src-00000.mkv,0.000000,1.300000"). */
export async function segmentStarts(csv: string, count: number): Promise<number[] | undefined> {
  const text = await readFile(csv, 'utf8').catch(() => '');
  const starts = text.split('\n').map((l) => l.split(',')).filter((f) => f.length >= 3).map((f) => Number(f[f.length - 2]));
  return starts.length === count && starts.every(Number.isFinite) ? starts : undefined;
}

/** The concat list: every segment but the last with the duration it has in the source. */
export function concatList(files: string[], starts: number[] | undefined): string {
  const lines = ['ffconcat version 1.0'];
  files.forEach((f, i) => {
    lines.push(concatLine(f));
    if (starts && i + 1 < files.length) lines.push(`duration ${(starts[i + 1] - starts[i]).toFixed(6)}`);
  });
  return `${lines.join('\n')}\n`;
}

/** A short hash naming what a chunk folder holds: the source as read, and everything that shapes a segment's encode. */
export function chunkIdentity(source: unknown, probe: ProbeInfo, s: EncodeSettings, segmentSec: number): string {
  const sample = planEncode('IN', 'OUT', probe, { ...s, container: 'mkv' }, { videoOnly: true, inputHasMatrix: false }).args;
  return createHash('sha1').update(JSON.stringify({ source, segmentSec, sample })).digest('hex');
}

export async function encodeSegmented(ffmpeg: string, source: string, output: string, probe: ProbeInfo, s: EncodeSettings, o: SegmentOptions): Promise<SegmentResult> {
  const v = probe.video!;
  const dir = o.chunkDir;
  const commands: string[] = [];
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const run = async (args: string[], onProgress?: (p: FfmpegProgress) => void, signal: AbortSignal = stop.signal) => {
    commands.push(commandLine(ffmpegArgv(ffmpeg, args, Boolean(onProgress))));
    return runFfmpeg(ffmpeg, args, { signal, onProgress });
  };
  try {
    // 0. The chunk folder: reused only when it was made from the same source with the same settings.
    await mkdir(dir, { recursive: true });
    const plan = join(dir, 'chunks.json');
    const had = await readFile(plan, 'utf8').then((t) => (JSON.parse(t) as { identity?: string }).identity, () => undefined);
    if (had !== o.identity) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await writeFile(plan, `${JSON.stringify({ identity: o.identity, segmentSec: o.segmentSec })}\n`);
    }
    // 1. Split at keyframes without re-encoding: each segment starts on a keyframe after each multiple of segmentSec.
    if (!(await exists(join(dir, 'split.done')))) {
      for (const f of (await readdir(dir)).filter((x) => x.startsWith('src-'))) await rm(join(dir, f), { force: true });
      // The list records where each segment starts in the source: the join puts it back exactly there.
      await run(['-i', source, '-map', `0:${v.index}`, '-c', 'copy', '-f', 'segment', '-segment_time', String(o.segmentSec),
        '-reset_timestamps', '1', '-segment_list', join(dir, 'segments.csv'), '-segment_list_type', 'csv', '-segment_format', 'matroska', join(dir, 'src-%05d.mkv')]);
      await writeFile(join(dir, 'split.done'), '');
    }
    const parts = (await readdir(dir)).filter((f) => /^src-\d{5}\.mkv$/.test(f)).sort();
    if (parts.length < 2) {
      throw new TooFewKeyframes(`the source has too few keyframes to split into ${o.segmentSec} s segments (${parts.length} segment came out)`);
    }
    // 2. Encode the segments in parallel (video only, turned upright explicitly), and 3. the audio tracks
    // once from the whole source (no seams) alongside them: light work that would otherwise add its time at the end.
    const done = new Array<number>(parts.length).fill(0);
    const frames = new Array<number>(parts.length).fill(0);
    const audio = o.streams.mapped.filter((d) => d.role === 'audio');
    // In the output's own container, so the encoder delay and padding are recorded as a whole-file encode
    // records them (AAC in Matroska loses them, and the joined audio came out 48 ms long).
    const audioOut = join(dir, `audio.${process.pid}.${s.container}`);
    const audioJob = audio.length
      ? run(['-i', source, ...audio.flatMap((d, i) => ['-map', `0:${d.stream.index}`, ...withIndex(d.options, i)]), '-vn', '-f', MUXER[s.container], audioOut])
      : Promise.resolve(undefined);
    audioJob.catch(() => stop.abort());
    let reused = 0;
    const encoded = await runPoolFailFast(parts, o.workers, stop, async (name, i) => {
      const final = join(dir, `enc-${String(i).padStart(5, '0')}.mkv`);
      if (await exists(final)) {
        reused++;
        done[i] = Math.min(o.segmentSec, probe.durationSec);
        return final;
      }
      // A name of this process's own until the encode finished (a killed run's orphan may still write its own).
      const partial = join(dir, `enc-${String(i).padStart(5, '0')}.${process.pid}.partial.mkv`);
      const seg = planEncode(join(dir, name), partial, probe, { ...s, container: 'mkv' }, { videoOnly: true, inputHasMatrix: false });
      await o.budget.run(Math.max(1, s.threads), () => run(seg.args, (p) => {
        done[i] = p.outTimeSec;
        frames[i] = p.frame;
        o.onProgress?.(done.reduce((a, b) => a + b, 0), frames.reduce((a, b) => a + b, 0));
      }));
      await rename(partial, final);
      crashPoint('segment-encoded');
      return final;
    }).catch(async (err) => {
      // Let the audio job end too before the error goes up (its process was killed by the abort).
      await audioJob.catch(() => undefined);
      throw err;
    });
    await audioJob;
    // 4. Join (stream copy) into the final container: video from the segments, audio from the audio file,
    // everything else (subtitles, cover, data), chapters and metadata from the source.
    // Each segment lasts until the next one starts in the source: the concat demuxer would otherwise add up
    // the encoded files' own durations (rounded up to a frame of a guessed rate), and a variable frame rate
    // source drifted and overlapped itself at the seams.
    const starts = await segmentStarts(join(dir, 'segments.csv'), parts.length);
    await writeFile(join(dir, 'list.txt'), concatList(encoded, starts));
    const inputs = ['-f', 'concat', '-safe', '0', '-i', join(dir, 'list.txt')];
    if (audio.length) inputs.push('-i', audioOut);
    const src = audio.length ? 2 : 1;
    inputs.push('-i', source);
    let a = 0;
    const from = o.streams.mapped.map((d) => (d.role === 'audio' ? `1:${a++}` : `${src}:${d.stream.index}`));
    // Audio is already encoded: copied at the join.
    const maps = otherStreamArgs(o.streams, (d) => from[o.streams.mapped.indexOf(d)], (d) => (d.role === 'audio' ? ['-c', 'copy'] : d.options));
    // Naming any stream's metadata source turns off ffmpeg's automatic per-stream copy: name them all.
    const streamMeta = from.flatMap((f, i) => [`-map_metadata:s:${i}`, i === 0 ? `${src}:s:${v.index}` : f.replace(':', ':s:')]);
    await run([...inputs, '-map', '0:v:0', '-c:0', 'copy', ...maps, '-map_metadata', String(src), ...streamMeta, '-map_chapters', String(src), ...timecodeArgs(o.streams),
      ...(s.codec === 'h265' ? ['-tag:0', 'hvc1'] : []), ...containerArgs(s.container), output]);
    await rm(audioOut, { force: true });
    return { geometry: outputGeometry(v, s), segments: parts.length, reused, commands };
  } finally {
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}

