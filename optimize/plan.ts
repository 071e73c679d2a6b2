// Plan stage: the ffmpeg argv of one encode, built from the settings and the source's probe.
import { computeOutputGeometry, videoFilter, type FitMode, type OutputGeometry, type TargetResolution } from './dimensions.js';
import { hardwareQualityArgs } from './hwaccel.js';
import type { AudioStreamInfo, ProbeInfo } from '../media/probe.js';
import {
  AOM_CPU_USED,
  AUDIO_PROFILE,
  CONTAINER_AUDIO,
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

/** Whether the source audio can be copied as it is under this profile and container. */
export function audioComplies(a: AudioStreamInfo, profileName: AudioProfileName, container: ContainerName): boolean {
  const profile = AUDIO_PROFILE[profileName];
  if (a.codec !== CONTAINER_AUDIO[container].codec) return false;
  if (!a.bitrate || a.bitrate > profile.bitrate * 1.05) return false;
  if (profile.channels !== undefined && a.channels > profile.channels) return false;
  if (profile.sampleRate !== undefined && container !== 'webm' && a.sampleRate !== profile.sampleRate) return false;
  return true;
}

/** Audio arguments: copy when compliant, else encode to the profile. */
export function audioArgs(a: AudioStreamInfo | undefined, profileName: AudioProfileName, container: ContainerName): { args: string[]; copied: boolean } {
  if (!a) return { args: ['-an'], copied: false };
  if (audioComplies(a, profileName, container)) return { args: ['-c:a', 'copy'], copied: true };
  const profile = AUDIO_PROFILE[profileName];
  const target = CONTAINER_AUDIO[container];
  const args = ['-c:a', target.encoder, '-b:a', `${Math.round(profile.bitrate / 1000)}k`];
  if (profile.channels !== undefined) args.push('-ac', String(profile.channels));
  // Opus runs at 48 kHz; the 44.1 kHz of the low profiles applies to AAC only.
  if (target.codec === 'opus') args.push('-ar', '48000');
  else if (profile.sampleRate !== undefined) args.push('-ar', String(profile.sampleRate));
  return { args, copied: false };
}

/** Encoder arguments for the video stream (codec, quality, speed, threads). */
export function videoCodecArgs(s: EncodeSettings, width: number, height: number, fps: number): string[] {
  const crf = String(s.crf);
  const threads = s.threads > 0 ? ['-threads', String(s.threads)] : [];
  switch (s.encoder) {
    case 'libx264':
      return ['-c:v', 'libx264', '-preset', s.preset, '-crf', crf, '-pix_fmt', 'yuv420p', ...threads];
    case 'libx265':
      return ['-c:v', 'libx265', '-preset', s.preset, '-crf', crf, '-pix_fmt', 'yuv420p', '-tag:v', 'hvc1',
        '-x265-params', `log-level=error${s.threads > 0 ? `:pools=${s.threads}:frame-threads=${Math.min(s.threads, 4)}` : ''}`];
    case 'libvpx-vp9': {
      const sp = VPX_SPEED[s.preset];
      return ['-c:v', 'libvpx-vp9', '-crf', crf, '-b:v', '0', '-row-mt', '1', '-deadline', sp.deadline, '-cpu-used', String(sp.cpuUsed),
        '-pix_fmt', 'yuv420p', ...threads];
    }
    case 'libvpx': {
      // VP8's CRF is a quality floor under a bitrate cap: allow 0.3 bits per pixel.
      const sp = VPX_SPEED[s.preset];
      const cap = Math.max(200_000, Math.round(0.3 * width * height * (fps || 30)));
      return ['-c:v', 'libvpx', '-crf', crf, '-b:v', String(cap), '-deadline', sp.deadline, '-cpu-used', String(sp.cpuUsed),
        '-pix_fmt', 'yuv420p', ...threads];
    }
    case 'libsvtav1':
      return ['-c:v', 'libsvtav1', '-crf', crf, '-preset', String(SVTAV1_PRESET[s.preset]), '-pix_fmt', 'yuv420p', ...threads];
    case 'libaom-av1':
      return ['-c:v', 'libaom-av1', '-crf', crf, '-b:v', '0', '-cpu-used', String(AOM_CPU_USED[s.preset]), '-row-mt', '1',
        '-pix_fmt', 'yuv420p', ...threads];
    default:
      return ['-c:v', s.encoder, ...hardwareQualityArgs(s.encoder, s.crf, s.preset), ...(s.codec === 'h265' ? ['-tag:v', 'hvc1'] : []),
        '-pix_fmt', s.encoder.endsWith('_qsv') ? 'nv12' : 'yuv420p'];
  }
}

/** Muxer arguments: the format, and +faststart for MP4/MOV so playback starts before the download ends. */
export function containerArgs(container: ContainerName): string[] {
  const args = ['-f', MUXER[container]];
  if (container === 'mp4' || container === 'mov') args.push('-movflags', '+faststart');
  return args;
}

export interface PlanOptions {
  /** Encode only this part of the source (sample encodes, segments). */
  startSec?: number;
  durationSec?: number;
  /** Leave audio out (segments and samples). */
  videoOnly?: boolean;
}

/** The whole argv for encoding input into output. */
export function planEncode(input: string, output: string, probe: ProbeInfo, s: EncodeSettings, o: PlanOptions = {}): EncodePlan {
  const v = probe.video;
  if (!v) throw new Error('the source has no video stream');
  const geometry = computeOutputGeometry(v.width, v.height, s.targetResolution, s.fit, v.sar);
  const args: string[] = [];
  if (o.startSec !== undefined) args.push('-ss', o.startSec.toFixed(3));
  if (o.durationSec !== undefined) args.push('-t', o.durationSec.toFixed(3));
  args.push('-i', input, '-map', '0:v:0');
  const audio = o.videoOnly ? { args: ['-an'], copied: false } : audioArgs(probe.audio, s.audioProfile, s.container);
  if (!o.videoOnly && probe.audio) args.push('-map', '0:a?');
  // passthrough: every source frame is kept with its timestamp (no duplicates or drops on variable
  // frame rate phone videos), so the frame count verification compares like with like.
  // (-vsync rather than -fps_mode: ffmpeg 4.x, as on Ubuntu 22.04, knows only -vsync.)
  args.push('-map_metadata', '0', '-vsync', 'passthrough', '-vf', videoFilter(geometry), ...videoCodecArgs(s, geometry.width, geometry.height, v.fps));
  args.push(...audio.args, '-sn', '-dn', ...containerArgs(s.container), output);
  return { geometry, args, audioCopied: audio.copied };
}
