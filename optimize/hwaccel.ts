// Which encoder really works here. ffmpeg lists encoders it was built with, not
// ones the machine can run (Debian lists h264_nvenc without any GPU), so an
// encoder counts only after a tiny trial encode succeeds. Results are cached
// per host and ffmpeg binary (host name, path, mtime, size) under the user's
// cache folder: a cache copied from a GPU host to a GPU-less one (a baked
// container image, a shared home) is not believed there.
import { stat, readFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { RuntimeError } from '../lib/errors.js';
import { runTool } from '../media/ffmpeg.js';
import { SOFTWARE_ENCODERS, type CodecName, type PresetName } from './profiles.js';

export type HardwareChoice = 'auto' | 'nvidia' | 'intel' | 'amd' | 'apple' | 'none';
export const HARDWARE_CHOICES: readonly HardwareChoice[] = ['auto', 'nvidia', 'intel', 'amd', 'apple', 'none'];

/** Hardware encoders per vendor and codec. */
export const HARDWARE_ENCODERS: Record<Exclude<HardwareChoice, 'auto' | 'none'>, Partial<Record<CodecName, string>>> = {
  nvidia: { h264: 'h264_nvenc', h265: 'hevc_nvenc', av1: 'av1_nvenc' },
  intel: { h264: 'h264_qsv', h265: 'hevc_qsv', vp9: 'vp9_qsv', av1: 'av1_qsv' },
  amd: { h264: 'h264_amf', h265: 'hevc_amf', av1: 'av1_amf' },
  apple: { h264: 'h264_videotoolbox', h265: 'hevc_videotoolbox' },
};

export interface EncoderChoice {
  encoder: string;
  hardware: boolean;
  /** One line for the log when auto fell back to software. */
  notice?: string;
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'media-toolkit');
}

/** Encoders ffmpeg says it has (`ffmpeg -encoders`). */
export async function listedEncoders(ffmpeg: string): Promise<Set<string>> {
  const res = await runTool(ffmpeg, ['-hide_banner', '-encoders'], { captureStdout: true, timeoutMs: 30_000 });
  const names = new Set<string>();
  for (const line of res.stdout.split('\n')) {
    const m = /^\s[VAS][A-Z.]{5}\s+(\S+)/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

/** A two-frame encode of a black picture: does this encoder open and run here? */
export async function trialEncode(ffmpeg: string, encoder: string): Promise<boolean> {
  const pixFmt = /_(qsv|vaapi)$/.test(encoder) ? 'nv12' : 'yuv420p';
  const res = await runTool(
    ffmpeg,
    ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=256x144:r=25:d=0.2',
      '-frames:v', '3', '-pix_fmt', pixFmt, '-c:v', encoder, '-f', 'null', '-'],
    { timeoutMs: 30_000 },
  );
  return res.code === 0;
}

type CacheFile = Record<string, Record<string, boolean>>;

/** The cache key: this host, and this ffmpeg binary as it is now. */
async function binaryId(ffmpeg: string): Promise<string> {
  const st = await stat(ffmpeg);
  return `${hostname()}|${ffmpeg}|${Math.round(st.mtimeMs)}|${st.size}`;
}

/** Whether an encoder name is a hardware one (a GPU or media engine that can be busy or missing at run time). */
export function isHardwareEncoder(encoder: string): boolean {
  return /_(nvenc|qsv|amf|videotoolbox|vaapi|v4l2m2m|mf)$/.test(encoder);
}

/** Whether each encoder is usable, from the cache or by a trial encode (then cached). */
export async function usableEncoders(ffmpeg: string, encoders: string[], env: NodeJS.ProcessEnv = process.env): Promise<Record<string, boolean>> {
  const file = join(cacheDir(env), 'encoders.json');
  let cache: CacheFile = {};
  try {
    cache = JSON.parse(await readFile(file, 'utf8')) as CacheFile;
  } catch {
    /* no cache yet */
  }
  const id = await binaryId(ffmpeg);
  const known = cache[id] ?? {};
  const unknown = encoders.filter((e) => known[e] === undefined);
  if (unknown.length > 0) {
    const listed = await listedEncoders(ffmpeg);
    for (const e of unknown) known[e] = listed.has(e) ? await trialEncode(ffmpeg, e) : false;
    cache[id] = known;
    try {
      await writeFileAtomic(file, `${JSON.stringify(cache, null, 2)}\n`);
    } catch {
      /* a read-only home only costs the trial next time */
    }
  }
  return Object.fromEntries(encoders.map((e) => [e, Boolean(known[e])]));
}

/**
 * Picks the encoder for a codec. `auto` tries the vendors in turn and falls
 * back to software with a notice; an explicit vendor that cannot encode is an error.
 */
export async function chooseEncoder(ffmpeg: string, codec: CodecName, hw: HardwareChoice, env: NodeJS.ProcessEnv = process.env): Promise<EncoderChoice> {
  const software = async (notice?: string): Promise<EncoderChoice> => {
    const usable = await usableEncoders(ffmpeg, SOFTWARE_ENCODERS[codec], env);
    const encoder = SOFTWARE_ENCODERS[codec].find((e) => usable[e]);
    if (!encoder) throw new RuntimeError(`no working ${codec} encoder in this ffmpeg (tried ${SOFTWARE_ENCODERS[codec].join(', ')})`);
    return { encoder, hardware: false, notice };
  };
  if (hw === 'none') return software();
  const vendors = hw === 'auto' ? (['nvidia', 'intel', 'amd', 'apple'] as const) : ([hw] as const);
  const wanted = vendors.map((v) => HARDWARE_ENCODERS[v][codec]).filter((e): e is string => Boolean(e));
  const usable = wanted.length ? await usableEncoders(ffmpeg, wanted, env) : {};
  const found = wanted.find((e) => usable[e]);
  if (found) return { encoder: found, hardware: true };
  if (hw !== 'auto') {
    throw new RuntimeError(
      wanted.length
        ? `--hardware-acceleration ${hw}: ${wanted.join(', ')} did not pass a trial encode here (no device or driver); use auto or none`
        : `--hardware-acceleration ${hw} has no ${codec} encoder; use auto or none`,
    );
  }
  const enc = await software();
  return { ...enc, notice: `hardware acceleration: no working hardware ${codec} encoder (tried ${wanted.join(', ') || 'none'}), using ${enc.encoder}` };
}

/** Quality and speed arguments for a hardware encoder (CRF mapped onto its constant-quality knob). */
export function hardwareQualityArgs(encoder: string, crf: number, preset: PresetName): string[] {
  if (encoder.endsWith('_nvenc')) {
    const p: Record<PresetName, string> = { veryslow: 'p7', slower: 'p6', slow: 'p5', medium: 'p4', fast: 'p3', faster: 'p2', veryfast: 'p1', superfast: 'p1', ultrafast: 'p1' };
    return ['-preset', p[preset], '-rc', 'vbr', '-cq', String(crf), '-b:0', '0'];
  }
  if (encoder.endsWith('_qsv')) return ['-preset', ['ultrafast', 'superfast'].includes(preset) ? 'veryfast' : preset, '-global_quality', String(crf)];
  if (encoder.endsWith('_amf')) return ['-rc', 'cqp', '-qp_i', String(crf), '-qp_p', String(crf)];
  if (encoder.endsWith('_videotoolbox')) return ['-q:0', String(Math.max(1, Math.min(100, 100 - 2 * crf)))];
  return [];
}
