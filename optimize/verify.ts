// Nothing replaces a source before its output passes every check here.
import { runTool, lastErrorLine } from '../media/ffmpeg.js';
import { probeFile, type ProbeInfo } from '../media/probe.js';
import { PROBE_CODEC, type CodecName } from './profiles.js';
import { isChapterTrack, type StreamPlan, type StreamRole } from './streams.js';

export interface VerifyExpectation {
  codec: CodecName;
  width: number;
  height: number;
  /** Output larger than this fraction of the input is rejected (default 0.95). */
  maxOutputRatio: number;
  /** Whether to apply the size check (off for a --create-webm companion). */
  checkSize: boolean;
  /** What the output must hold besides the main video; without it only the audio track count is compared. */
  streams?: StreamPlan;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Verification {
  ok: boolean;
  /** The output is fine but not smaller enough: the original is kept. */
  rejectedForSize: boolean;
  checks: Check[];
  output?: ProbeInfo;
  outputFrames: number;
  sourceFrames: number;
}

/**
 * Duration tolerance: 0.5% of the source, at least one frame plus 50 ms: short clips end on a frame
 * boundary, and re-encoded AAC adds up to two frames (2 x 1024 samples, 43 ms at 48 kHz) of encoder
 * delay and padding that Matroska does not record. (The exact frame count is checked separately.)
 */
export function durationTolerance(sourceSec: number, fps: number): number {
  return Math.max(sourceSec * 0.005, (fps > 0 ? 1 / fps : 0.04) + 0.05);
}

/** Expected frame count of the source: nb_frames when the container says, else duration x fps. */
export function expectedFrames(source: ProbeInfo): { frames: number; exact: boolean } {
  const v = source.video;
  if (!v) return { frames: 0, exact: true };
  if (v.frames > 0) return { frames: v.frames, exact: true };
  return { frames: Math.round(source.durationSec * v.fps), exact: false };
}

/** A full decode: any decode error stops it (-xerror). Resolves with the frames decoded and the error, if any. */
export async function decodeCheck(ffmpeg: string, path: string, signal?: AbortSignal, threads = 0): Promise<{ ok: boolean; frames: number; error: string }> {
  let frames = 0;
  const res = await runTool(
    ffmpeg,
    ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-progress', 'pipe:1', '-nostats', ...(threads ? ['-threads', String(threads)] : []),
      '-i', path, '-map', '0:v:0?', '-map', '0:a?', '-f', 'null', '-'],
    { signal, onProgress: (p) => (frames = p.frame || frames) },
  );
  const errors = res.stderrTail.trim();
  if (res.code !== 0) return { ok: false, frames, error: lastErrorLine(res.stderrTail) };
  if (errors) return { ok: false, frames, error: lastErrorLine(errors) };
  return { ok: true, frames, error: '' };
}

export async function verifyOutput(
  tools: { ffmpeg: string; ffprobe: string },
  source: ProbeInfo,
  sourceSize: number,
  outputPath: string,
  outputSize: number,
  expect: VerifyExpectation,
  signal?: AbortSignal,
): Promise<Verification> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const src = expectedFrames(source);
  let output: ProbeInfo | undefined;
  try {
    output = await probeFile(tools.ffprobe, outputPath, signal);
    add('readable', true, output.formatName);
  } catch (err) {
    add('readable', false, (err as Error).message);
    return { ok: false, rejectedForSize: false, checks, outputFrames: 0, sourceFrames: src.frames };
  }
  const v = output.video;
  add('video stream', Boolean(v), v ? v.codec : 'missing');
  if (v) {
    add('codec', v.codec === PROBE_CODEC[expect.codec], `${v.codec} (expected ${PROBE_CODEC[expect.codec]})`);
    add('dimensions', v.width === expect.width && v.height === expect.height, `${v.width}x${v.height} (expected ${expect.width}x${expect.height})`);
  }
  if (expect.streams) checks.push(...inventoryChecks(source, output, expect.streams));
  else add('audio streams', output.audioStreams === source.audioStreams, `${output.audioStreams} (source ${source.audioStreams})`);
  const fps = source.video?.fps ?? 0;
  const tol = durationTolerance(source.durationSec, fps);
  const diff = Math.abs(output.durationSec - source.durationSec);
  add('duration', diff <= tol, `${output.durationSec.toFixed(3)}s vs ${source.durationSec.toFixed(3)}s (tolerance ${tol.toFixed(3)}s)`);
  const decode = await decodeCheck(tools.ffmpeg, outputPath, signal);
  add('full decode', decode.ok, decode.ok ? `${decode.frames} frames, no errors` : decode.error);
  // Exact counts must match; an estimate (no nb_frames in the source) may be off by a frame or 0.5%.
  const frameTol = src.exact ? 0 : Math.max(1, Math.round(src.frames * 0.005));
  add('frame count', Math.abs(decode.frames - src.frames) <= frameTol, `${decode.frames} (source ${src.frames}${src.exact ? '' : ' estimated'})`);
  const integrity = checks.every((c) => c.ok);
  let rejectedForSize = false;
  if (expect.checkSize) {
    const ratio = sourceSize > 0 ? outputSize / sourceSize : 1;
    const small = ratio <= expect.maxOutputRatio;
    add('size', small, `${(ratio * 100).toFixed(1)}% of the source (limit ${(expect.maxOutputRatio * 100).toFixed(0)}%)`);
    rejectedForSize = integrity && !small;
  }
  return { ok: checks.every((c) => c.ok), rejectedForSize, checks, output, outputFrames: decode.frames, sourceFrames: src.frames };
}

/** The role a stream of a finished output plays (chapter text tracks are the chapters, not a stream). */
function roleOf(p: ProbeInfo, s: ProbeInfo['streams'][number]): StreamRole | 'main' | 'chapters' | 'timecode' {
  if (s.type === 'video') return s.attachedPic ? 'cover' : p.video?.index === s.index ? 'main' : 'extra video';
  if (s.type === 'data') return isChapterTrack(s, p) ? 'chapters' : s.codecTag === 'tmcd' ? 'timecode' : 'data';
  return s.type;
}

const norm = (x: string | undefined) => x ?? '-';

/**
 * The output holds every stream the plan kept, each with its codec, language and (where the container
 * stores titles) title, in order; the chapters; and the container's title and creation time.
 */
export function inventoryChecks(source: ProbeInfo, output: ProbeInfo, plan: StreamPlan): Check[] {
  const checks: Check[] = [];
  const roles: StreamRole[] = ['audio', 'subtitle', 'cover', 'attachment', 'data', 'extra video'];
  const counts: string[] = [];
  let countsOk = true;
  let codecsOk = true;
  let langsOk = true;
  const langDetail: string[] = [];
  const titled = /matroska|webm/.test(output.formatName);
  let titlesOk = true;
  for (const role of roles) {
    const want = plan.mapped.filter((d) => d.role === role);
    const got = output.streams.filter((s) => roleOf(output, s) === role);
    const dropped = plan.dropped.filter((d) => d.role === role).length;
    if (want.length || got.length || dropped) counts.push(`${role} ${got.length}/${want.length}${dropped ? ` (+${dropped} dropped by flag)` : ''}`);
    if (got.length !== want.length) countsOk = false;
    want.forEach((d, i) => {
      const g = got[i];
      if (!g) return;
      if (d.outputCodec && g.codec !== d.outputCodec) codecsOk = false;
      if ((role === 'audio' || role === 'subtitle') && norm(g.language) !== norm(d.stream.language)) langsOk = false;
      if (titled && d.stream.title && g.title !== d.stream.title) titlesOk = false;
    });
    if (role === 'audio' || role === 'subtitle') {
      if (want.length) langDetail.push(`${role} ${got.map((g) => norm(g.language)).join(',') || '-'} (source ${want.map((d) => norm(d.stream.language)).join(',')})`);
    }
  }
  checks.push({ name: 'streams', ok: countsOk && codecsOk, detail: `${counts.join(', ') || 'video only'}${codecsOk ? '' : '; a codec differs from the plan'}` });
  if (langDetail.length) checks.push({ name: 'languages', ok: langsOk && titlesOk, detail: `${langDetail.join('; ')}${titlesOk ? '' : '; a title was lost'}` });
  checks.push({ name: 'chapters', ok: output.chapters === source.chapters, detail: `${output.chapters} (source ${source.chapters})` });
  const kept: string[] = [];
  let metaOk = true;
  for (const key of ['title', 'creation_time']) {
    const want = source.tags[key];
    if (!want) continue;
    const got = output.tags[key];
    const same = key === 'creation_time' ? got?.slice(0, 19) === want.slice(0, 19) : got === want;
    if (!same) metaOk = false;
    kept.push(`${key} ${same ? 'kept' : `lost (${got ?? 'missing'}, source ${want})`}`);
  }
  if (plan.timecode) {
    const main = output.streams.find((s) => s.index === output.video?.index);
    const got = main?.timecode ?? output.streams.find((s) => s.codecTag === 'tmcd')?.timecode;
    if (got !== plan.timecode) metaOk = false;
    kept.push(`timecode ${got === plan.timecode ? 'kept' : `lost (${got ?? 'missing'}, source ${plan.timecode})`}`);
  }
  if (kept.length) checks.push({ name: 'metadata', ok: metaOk, detail: kept.join(', ') });
  return checks;
}
