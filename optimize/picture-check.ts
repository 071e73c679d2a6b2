// Picture check: is the output the same video as its source? ffmpeg's ssim
// filter (and libvmaf when this ffmpeg has it) compares the output with the
// source *as displayed*: the source is decoded by ffmpeg itself, turned by its
// own autorotate (a legacy `rotate` tag, which ffmpeg 5.1 ignores, is applied
// here), deinterlaced, fitted to the output's frame exactly as the encode was
// asked to (scale, crop or pad) and then scaled to the output's display size;
// the output is decoded the same way (a display matrix or a non-square sample
// aspect in it counts). A squeezed, sideways or wrong picture scores low
// whatever path made it (whole file, segments, searched CRF, hardware).
// Short files are compared whole; long ones in windows spread over the file,
// or whole with --full-quality-check.
import { RuntimeError } from '../lib/errors.js';
import { lastErrorLine, runTool } from '../media/ffmpeg.js';
import type { VideoStreamInfo } from '../media/probe.js';
import { videoFilter, type OutputGeometry } from './dimensions.js';
import { deinterlaceFilters, rotationFilters } from './orientation.js';

export interface TimeWindow {
  startSec: number;
  durationSec: number;
}

/** Files up to this long are compared whole. */
export const WHOLE_FILE_UP_TO_SEC = 20;
/** Longer files: this many windows of SAMPLE_WINDOW_SEC, centred at 1/6, 2/6 ... 5/6 of the duration. */
export const SAMPLE_WINDOWS = 5;
export const SAMPLE_WINDOW_SEC = 2;

/** The windows a check compares; undefined entries mean the whole file. */
export function checkWindows(durationSec: number, full: boolean): (TimeWindow | undefined)[] {
  if (full || !(durationSec > WHOLE_FILE_UP_TO_SEC)) return [undefined];
  return Array.from({ length: SAMPLE_WINDOWS }, (_, i) => {
    const centre = (durationSec * (i + 1)) / (SAMPLE_WINDOWS + 1);
    return { startSec: Math.max(0, centre - SAMPLE_WINDOW_SEC / 2), durationSec: SAMPLE_WINDOW_SEC };
  });
}

/** Reads "SSIM Y:... All:0.987654 (19.1)" from ffmpeg's stderr. */
export function parseSsim(stderr: string): number | undefined {
  const m = /SSIM .*All:([0-9.]+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

/** Reads "VMAF score: 95.123456" from ffmpeg's stderr. */
export function parseVmaf(stderr: string): number | undefined {
  const m = /VMAF score[:=]\s*([0-9.]+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

/** Filters this ffmpeg has (`ffmpeg -filters`). */
export async function listedFilters(ffmpeg: string): Promise<Set<string>> {
  const res = await runTool(ffmpeg, ['-hide_banner', '-filters'], { captureStdout: true, timeoutMs: 30_000 });
  const names = new Set<string>();
  for (const line of res.stdout.split('\n')) {
    const m = /^\s[T.][S.][C.]\s+(\S+)\s+\S+->\S+/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

/** The output side of a comparison: which stream, and its size as displayed. */
export interface ComparedOutput {
  path: string;
  video: Pick<VideoStreamInfo, 'index' | 'displayWidth' | 'displayHeight'>;
  /** Read only this part (the output covers the whole source); absent for a sample encode made of the window alone. */
  seek?: TimeWindow;
}

export interface ComparedSource {
  path: string;
  video: VideoStreamInfo;
  seek?: TimeWindow;
}

export interface CompareOptions {
  vmaf: boolean;
  threads?: number;
  signal?: AbortSignal;
}

function seekArgs(w: TimeWindow | undefined): string[] {
  return w ? ['-ss', w.startSec.toFixed(3), '-t', w.durationSec.toFixed(3)] : [];
}

/** The ffmpeg argv of one comparison (output is input 0, the distorted side; source input 1, the reference). */
export function compareArgs(source: ComparedSource, output: ComparedOutput, geometry: OutputGeometry, o: CompareOptions): string[] {
  const v = source.video;
  const w = Math.max(2, output.video.displayWidth);
  const h = Math.max(2, output.video.displayHeight);
  // A rotate tag alone: ffmpeg 5.1 does not turn the picture for it, so it is turned here.
  const tagOnly = v.rotationSource === 'tag';
  const reference = [
    ...deinterlaceFilters(v),
    ...(tagOnly ? rotationFilters(v) : []),
    videoFilter(geometry),
    ...(geometry.width !== w || geometry.height !== h ? [`scale=${w}:${h}:flags=bicubic`] : []),
    'format=yuv420p', 'setpts=PTS-STARTPTS',
  ].join(',');
  const distorted = [`scale=${w}:${h}:flags=bicubic`, 'setsar=1', 'format=yuv420p', 'setpts=PTS-STARTPTS'].join(',');
  const graph = o.vmaf
    ? `[0:${output.video.index}]${distorted},split[d1][d2];[1:${v.index}]${reference},split[r1][r2];[d1][r1]ssim;[d2][r2]libvmaf=n_threads=${Math.max(1, o.threads ?? 1)}`
    : `[0:${output.video.index}]${distorted}[d];[1:${v.index}]${reference}[r];[d][r]ssim`;
  const threads = o.threads ? ['-threads', String(o.threads)] : [];
  return [
    '-hide_banner', '-nostdin', '-nostats',
    ...threads, ...seekArgs(output.seek), '-i', output.path,
    ...threads, ...(tagOnly ? ['-autorotate', '0'] : []), ...seekArgs(source.seek), '-i', source.path,
    '-lavfi', graph, '-f', 'null', '-',
  ];
}

export interface WindowScore {
  /** Seconds into the file; undefined for the whole file. */
  startSec?: number;
  durationSec?: number;
  ssim: number;
  vmaf?: number;
}

/** One comparison: SSIM (0..1, 1 = identical) and, when asked, VMAF (0..100). */
export async function compare(ffmpeg: string, source: ComparedSource, output: ComparedOutput, geometry: OutputGeometry, o: CompareOptions): Promise<WindowScore> {
  const res = await runTool(ffmpeg, compareArgs(source, output, geometry, o), { signal: o.signal, stderrLines: 12 });
  if (o.signal?.aborted) throw new RuntimeError('picture check aborted');
  if (res.code !== 0) throw new RuntimeError(`picture check failed: ${lastErrorLine(res.stderrTail)}`);
  const ssim = parseSsim(res.stderrTail);
  if (ssim === undefined) throw new RuntimeError('picture check printed no SSIM (no frame compared)');
  const vmaf = o.vmaf ? parseVmaf(res.stderrTail) : undefined;
  if (o.vmaf && vmaf === undefined) throw new RuntimeError('picture check printed no VMAF score');
  const seek = output.seek ?? source.seek;
  return { ssim, ...(vmaf !== undefined ? { vmaf } : {}), ...(seek ? { startSec: seek.startSec, durationSec: seek.durationSec } : {}) };
}

export interface PictureScore {
  /** The lowest window's SSIM (the whole file's when it was compared whole). */
  ssim: number;
  vmaf?: number;
  /** Whole file (short, or --full-quality-check) or sampled windows. */
  method: 'whole file' | 'sampled windows';
  windows: WindowScore[];
  /** Wall time of the check, seconds. */
  sec: number;
}

/** Compares a finished output (which covers the whole source) with its source. */
export async function checkPicture(
  ffmpeg: string, source: Omit<ComparedSource, 'seek'>, output: Omit<ComparedOutput, 'seek'>, geometry: OutputGeometry, durationSec: number,
  o: CompareOptions & { full: boolean },
): Promise<PictureScore> {
  const started = Date.now();
  const windows: WindowScore[] = [];
  const plan = checkWindows(durationSec, o.full);
  for (const w of plan) windows.push(await compare(ffmpeg, { ...source, seek: w }, { ...output, seek: w }, geometry, o));
  const ssim = Math.min(...windows.map((w) => w.ssim));
  const vmafs = windows.map((w) => w.vmaf).filter((x): x is number => x !== undefined);
  return {
    ssim, ...(vmafs.length ? { vmaf: Math.min(...vmafs) } : {}),
    method: plan[0] === undefined ? 'whole file' : 'sampled windows', windows, sec: (Date.now() - started) / 1000,
  };
}

/** "SSIM 0.9812 (whole file)" or "SSIM 0.9701 (lowest of 5 windows: 3.0-5.0 s 0.9701, ...)" */
export function describeScore(p: PictureScore): string {
  const score = `SSIM ${p.ssim.toFixed(4)}${p.vmaf !== undefined ? `, VMAF ${p.vmaf.toFixed(2)}` : ''}`;
  if (p.method === 'whole file') return `${score} (whole file)`;
  return `${score} (lowest of ${p.windows.length} windows: ${p.windows.map((w) => `${w.startSec!.toFixed(1)}-${(w.startSec! + w.durationSec!).toFixed(1)} s ${w.ssim.toFixed(4)}`).join(', ')})`;
}
