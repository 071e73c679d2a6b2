// Plan stage: the ffmpeg argv of one encode, built from the settings and the source's probe.
import { computeOutputGeometry, videoFilter, type FitMode, type OutputGeometry, type TargetResolution } from './dimensions.js';
import { hardwareQualityArgs } from './hwaccel.js';
import type { ProbeInfo, VideoStreamInfo } from '../media/probe.js';
import { deinterlaceFilters, orientation } from './orientation.js';
import { NO_DROPS, planStreams, timecodeArgs, withIndex, type StreamDecision, type StreamPlan } from './streams.js';
import {
  AOM_CPU_USED,
  MUXER,
  SVTAV1_PRESET,
  VPX_SPEED,
  type AudioProfileName,
  type CodecName,
  type ContainerName,
  type PresetName,
} from './profiles.js';

export interface EncodeSettings {
  codec: CodecName;
  /** ffmpeg encoder name (libx264, h264_nvenc...). */
  encoder: string;
  crf: number;
  preset: PresetName;
  targetResolution: TargetResolution;
  fit: FitMode;
  audioProfile: AudioProfileName;
  container: ContainerName;
  /** ffmpeg threads for this encode (0 = ffmpeg decides). */
  threads: number;
}

export interface EncodePlan {
  geometry: OutputGeometry;
  /** ffmpeg arguments after the wrapper's own (-hide_banner -nostdin -y -progress). */
  args: string[];
  audioCopied: boolean;
}

/** Encoder arguments for the main video, output stream 0 (codec, quality, speed, threads). */
export function videoCodecArgs(s: EncodeSettings, width: number, height: number, fps: number): string[] {
  const crf = String(s.crf);
  const threads = s.threads > 0 ? ['-threads', String(s.threads)] : [];
  switch (s.encoder) {
    case 'libx264':
      return ['-c:0', 'libx264', '-preset', s.preset, '-crf', crf, '-pix_fmt:0', 'yuv420p', ...threads];
    case 'libx265':
      return ['-c:0', 'libx265', '-preset', s.preset, '-crf', crf, '-pix_fmt:0', 'yuv420p', '-tag:0', 'hvc1',
        '-x265-params', `log-level=error${s.threads > 0 ? `:pools=${s.threads}:frame-threads=${Math.min(s.threads, 4)}` : ''}`];
    case 'libvpx-vp9': {
      const sp = VPX_SPEED[s.preset];
      return ['-c:0', 'libvpx-vp9', '-crf', crf, '-b:0', '0', '-row-mt', '1', '-deadline', sp.deadline, '-cpu-used', String(sp.cpuUsed),
        '-pix_fmt:0', 'yuv420p', ...threads];
    }
    case 'libvpx': {
      // VP8's CRF is a quality floor under a bitrate cap: allow 0.3 bits per pixel.
      const sp = VPX_SPEED[s.preset];
      const cap = Math.max(200_000, Math.round(0.3 * width * height * (fps || 30)));
      return ['-c:0', 'libvpx', '-crf', crf, '-b:0', String(cap), '-deadline', sp.deadline, '-cpu-used', String(sp.cpuUsed),
        '-pix_fmt:0', 'yuv420p', ...threads];
    }
    case 'libsvtav1':
      return ['-c:0', 'libsvtav1', '-crf', crf, '-preset', String(SVTAV1_PRESET[s.preset]), '-pix_fmt:0', 'yuv420p', ...threads];
    case 'libaom-av1':
      return ['-c:0', 'libaom-av1', '-crf', crf, '-b:0', '0', '-cpu-used', String(AOM_CPU_USED[s.preset]), '-row-mt', '1',
        '-pix_fmt:0', 'yuv420p', ...threads];
    default:
      return ['-c:0', s.encoder, ...hardwareQualityArgs(s.encoder, s.crf, s.preset), ...(s.codec === 'h265' ? ['-tag:0', 'hvc1'] : []),
        '-pix_fmt:0', s.encoder.endsWith('_qsv') ? 'nv12' : 'yuv420p'];
  }
}

/** Muxer arguments: the format, and +faststart for MP4/MOV so playback starts before the download ends. */
export function containerArgs(container: ContainerName): string[] {
  const args = ['-f', MUXER[container]];
  if (container === 'mp4' || container === 'mov') args.push('-movflags', '+faststart');
  return args;
}

export interface PlanOptions {
  /** Encode only this part of the source (sample encodes). */
  startSec?: number;
  durationSec?: number;
  /** Video only: segments and samples (the other streams are muxed in at the join, or not needed). */
  videoOnly?: boolean;
  /** The input still carries the source's display matrix (false for a stream-copied segment, which lost it). */
  inputHasMatrix?: boolean;
  /** What happens to every other stream (default: every stream kept, nothing dropped). */
  streams?: StreamPlan;
}

/** The main video's filter chain: deinterlace, turn upright, scale/crop/pad to the geometry, square pixels. */
export function mainVideoFilter(v: VideoStreamInfo, geometry: OutputGeometry, turn: string[]): string {
  return [...deinterlaceFilters(v), ...turn, videoFilter(geometry)].join(',');
}

/** The output geometry of a source under these settings (display size: rotation and sample aspect applied). */
export function outputGeometry(v: VideoStreamInfo, s: Pick<EncodeSettings, 'targetResolution' | 'fit'>): OutputGeometry {
  return computeOutputGeometry(v.displayWidth, v.displayHeight, s.targetResolution, s.fit);
}

/** -map and codec options of the streams after the main video, each read from input(d) ("2:5"). */
export function otherStreamArgs(plan: StreamPlan, input: (d: StreamDecision) => string, options: (d: StreamDecision) => readonly string[] = (d) => d.options): string[] {
  const args: string[] = [];
  plan.mapped.forEach((d, i) => {
    if (i === 0) return;
    args.push('-map', input(d), ...withIndex(options(d), i));
  });
  return args;
}

/** The whole argv for encoding input into output. */
export function planEncode(input: string, output: string, probe: ProbeInfo, s: EncodeSettings, o: PlanOptions = {}): EncodePlan {
  const v = probe.video;
  if (!v) throw new Error('the source has no video stream');
  const geometry = outputGeometry(v, s);
  const turn = orientation(v, o.inputHasMatrix ?? true);
  const args: string[] = [...turn.inputArgs];
  if (o.startSec !== undefined) args.push('-ss', o.startSec.toFixed(3));
  if (o.durationSec !== undefined) args.push('-t', o.durationSec.toFixed(3));
  // The decoder gets the encoder's thread count too, so a process holds no more cores than its budget.
  if (s.threads > 0) args.push('-threads', String(s.threads));
  args.push('-i', input, '-map', o.videoOnly && o.inputHasMatrix === false ? '0:v:0' : `0:${v.index}`);
  let audioCopied = false;
  if (!o.videoOnly) {
    const streams = o.streams ?? planStreams(probe, { container: s.container, audioProfile: s.audioProfile, drop: NO_DROPS });
    if (streams.refused) throw new Error(`cannot keep every stream: ${streams.refused}`);
    args.push(...otherStreamArgs(streams, (d) => `0:${d.stream.index}`));
    audioCopied = streams.mapped.some((d) => d.role === 'audio' && d.action === 'copy');
    args.push('-map_metadata', '0', '-map_chapters', '0', ...timecodeArgs(streams));
  } else args.push('-map_metadata', '-1', '-map_chapters', '-1');
  // passthrough: every source frame is kept with its timestamp (no duplicates or drops on variable
  // frame rate phone videos), so the frame count verification compares like with like.
  // (-vsync rather than -fps_mode: ffmpeg 4.x, as on Ubuntu 22.04, knows only -vsync.)
  // -enc_time_base -1: the encoder keeps the input's time base. Without it ffmpeg gives the encoder
  // 1/frame rate, and a variable frame rate source read from Matroska (1 ms ticks, frame rate guessed
  // at 24) came out with colliding timestamps.
  args.push('-vsync', 'passthrough', '-enc_time_base:0', '-1', '-filter:0', mainVideoFilter(v, geometry, turn.filters), ...videoCodecArgs(s, geometry.width, geometry.height, v.fps));
  args.push(...turn.outputArgs, ...containerArgs(s.container), output);
  return { geometry, args, audioCopied };
}
