// Codec, quality, audio and container tables (from the reference READMEs), and
// the mapping of x264-style preset names onto the other encoders' speed knobs.
import { extensionOf } from '../common/media-type.js';
import { UsageError } from '../lib/errors.js';

export type CodecName = 'h264' | 'h265' | 'vp9' | 'vp8' | 'av1';
export type QualityName = 'maximum' | 'high' | 'balanced' | 'efficient' | 'minimum';
export type AudioProfileName = 'high' | 'medium' | 'low' | 'minimum';
export type ContainerName = 'mp4' | 'webm' | 'mkv' | 'mov';
/** x264 preset names, used as one speed scale for every encoder. */
export type PresetName = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow' | 'slower' | 'veryslow';

export const CODECS: readonly CodecName[] = ['h264', 'h265', 'vp9', 'vp8', 'av1'];
export const QUALITIES: readonly QualityName[] = ['maximum', 'high', 'balanced', 'efficient', 'minimum'];
export const AUDIO_PROFILES: readonly AudioProfileName[] = ['high', 'medium', 'low', 'minimum'];
export const CONTAINERS: readonly ContainerName[] = ['mp4', 'webm', 'mkv', 'mov'];
export const PRESETS: readonly PresetName[] = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'];

/** CRF per codec and quality profile (vp8 uses the vp9 column; its CRF is capped by a bitrate, see encoderArgs). */
export const CRF_TABLE: Record<CodecName, Record<QualityName, number>> = {
  h264: { maximum: 18, high: 20, balanced: 23, efficient: 26, minimum: 28 },
  h265: { maximum: 22, high: 24, balanced: 28, efficient: 30, minimum: 32 },
  vp9: { maximum: 31, high: 33, balanced: 36, efficient: 39, minimum: 42 },
  vp8: { maximum: 31, high: 33, balanced: 36, efficient: 39, minimum: 42 },
  av1: { maximum: 25, high: 30, balanced: 34, efficient: 38, minimum: 42 },
};

export const QUALITY_PRESET: Record<QualityName, PresetName> = {
  maximum: 'slower',
  high: 'slow',
  balanced: 'medium',
  efficient: 'fast',
  minimum: 'faster',
};

/** CRF range each codec accepts, for the --target-ssim search. */
export const CRF_RANGE: Record<CodecName, [number, number]> = {
  h264: [0, 51],
  h265: [0, 51],
  vp9: [4, 63],
  vp8: [4, 63],
  av1: [1, 63],
};

/**
 * Preset name -> encoder speed setting.
 * libvpx (vp8/vp9): -deadline good with -cpu-used 0 (veryslow) .. 5 (veryfast); ultrafast/superfast use -deadline realtime -cpu-used 8/7.
 * libsvtav1: -preset 4 (veryslow) 5 6 8 10 11 12 13 13 (ultrafast).
 * libaom-av1: -cpu-used 2 (veryslow) 3 4 5 6 7 8 8 8.
 */
export const VPX_SPEED: Record<PresetName, { deadline: 'good' | 'realtime'; cpuUsed: number }> = {
  veryslow: { deadline: 'good', cpuUsed: 0 },
  slower: { deadline: 'good', cpuUsed: 1 },
  slow: { deadline: 'good', cpuUsed: 2 },
  medium: { deadline: 'good', cpuUsed: 3 },
  fast: { deadline: 'good', cpuUsed: 4 },
  faster: { deadline: 'good', cpuUsed: 5 },
  veryfast: { deadline: 'good', cpuUsed: 5 },
  superfast: { deadline: 'realtime', cpuUsed: 7 },
  ultrafast: { deadline: 'realtime', cpuUsed: 8 },
};
export const SVTAV1_PRESET: Record<PresetName, number> = {
  veryslow: 4, slower: 5, slow: 6, medium: 8, fast: 10, faster: 11, veryfast: 12, superfast: 13, ultrafast: 13,
};
export const AOM_CPU_USED: Record<PresetName, number> = {
  veryslow: 2, slower: 3, slow: 4, medium: 5, fast: 6, faster: 7, veryfast: 8, superfast: 8, ultrafast: 8,
};

/** Software encoders per codec, first available wins. */
export const SOFTWARE_ENCODERS: Record<CodecName, string[]> = {
  h264: ['libx264'],
  h265: ['libx265'],
  vp9: ['libvpx-vp9'],
  vp8: ['libvpx'],
  av1: ['libsvtav1', 'libaom-av1'],
};

/** The codec name ffprobe reports for each codec. */
export const PROBE_CODEC: Record<CodecName, string> = { h264: 'h264', h265: 'hevc', vp9: 'vp9', vp8: 'vp8', av1: 'av1' };

export interface AudioProfile {
  bitrate: number;
  /** Forced channel count, undefined keeps the source's. */
  channels?: number;
  /** Forced sample rate, undefined keeps the source's. */
  sampleRate?: number;
}

export const AUDIO_PROFILE: Record<AudioProfileName, AudioProfile> = {
  high: { bitrate: 192_000 },
  medium: { bitrate: 128_000, sampleRate: 48_000 },
  low: { bitrate: 96_000, channels: 2, sampleRate: 44_100 },
  minimum: { bitrate: 64_000, channels: 2, sampleRate: 44_100 },
};

/** Which video codecs each container takes (what ffmpeg 5.1 muxes and players read). */
export const CONTAINER_CODECS: Record<ContainerName, readonly CodecName[]> = {
  mp4: ['h264', 'h265', 'vp9', 'av1'],
  webm: ['vp9', 'vp8', 'av1'],
  mkv: ['h264', 'h265', 'vp9', 'vp8', 'av1'],
  mov: ['h264', 'h265'],
};

/** Audio codec written in each container: Opus for WebM, AAC elsewhere. */
export const CONTAINER_AUDIO: Record<ContainerName, { codec: 'aac' | 'opus'; encoder: string }> = {
  mp4: { codec: 'aac', encoder: 'aac' },
  webm: { codec: 'opus', encoder: 'libopus' },
  mkv: { codec: 'aac', encoder: 'aac' },
  mov: { codec: 'aac', encoder: 'aac' },
};

/** ffmpeg muxer name per container. */
export const MUXER: Record<ContainerName, string> = { mp4: 'mp4', webm: 'webm', mkv: 'matroska', mov: 'mov' };

/** The codec a --create-webm companion uses: the main codec when WebM takes it, else VP9. */
export function webmCodecFor(codec: CodecName): CodecName {
  return CONTAINER_CODECS.webm.includes(codec) ? codec : 'vp9';
}

/** Container from a file name's extension (.m4v counts as mp4), undefined when unknown. */
export function containerOfKey(key: string): ContainerName | undefined {
  const ext = extensionOf(key);
  if (ext === '.mp4' || ext === '.m4v') return 'mp4';
  if (ext === '.webm') return 'webm';
  if (ext === '.mkv') return 'mkv';
  if (ext === '.mov') return 'mov';
  return undefined;
}

/**
 * Usage error when codec and container do not go together, or when browser
 * compatibility is asked and an MP4 would not play everywhere (only H.264 + AAC does).
 */
export function checkCompatibility(codec: CodecName, container: ContainerName, browserCompatible: boolean): void {
  if (!CONTAINER_CODECS[container].includes(codec)) {
    throw new UsageError(
      `--codec ${codec} cannot go in --output-format ${container} (${container} takes ${CONTAINER_CODECS[container].join(', ')})`,
    );
  }
  if (browserCompatible && container === 'mp4' && codec !== 'h264') {
    throw new UsageError(
      `--codec ${codec} with --output-format mp4 is not browser-compatible (browsers play h264 + aac in mp4): use --codec h264, or pass --no-browser-compatible`,
    );
  }
}

/**
 * Bits per pixel per frame at or below which a source already in the target
 * codec is left alone: re-encoding it would save little and cost quality.
 */
export const EFFICIENT_BPP: Record<CodecName, number> = { h264: 0.1, h265: 0.06, vp9: 0.06, vp8: 0.1, av1: 0.05 };

/** Rough bits per pixel an encode at each quality reaches, for --dry-run's predicted savings. */
export const PREDICTED_BPP: Record<CodecName, Record<QualityName, number>> = {
  h264: { maximum: 0.15, high: 0.11, balanced: 0.075, efficient: 0.05, minimum: 0.04 },
  h265: { maximum: 0.09, high: 0.07, balanced: 0.045, efficient: 0.035, minimum: 0.028 },
  vp9: { maximum: 0.09, high: 0.07, balanced: 0.05, efficient: 0.037, minimum: 0.028 },
  vp8: { maximum: 0.15, high: 0.11, balanced: 0.08, efficient: 0.06, minimum: 0.045 },
  av1: { maximum: 0.07, high: 0.05, balanced: 0.035, efficient: 0.026, minimum: 0.02 },
};
