// What ffprobe says about a file, reduced to what the optimizer decides with.
import { RuntimeError } from '../lib/errors.js';
import { errorSummary, runTool } from './ffmpeg.js';

export interface VideoStreamInfo {
  codec: string;
  /** Display width and height (rotation applied). */
  width: number;
  height: number;
  /** Sample aspect ratio as a number (1 for square pixels). */
  sar: number;
  fps: number;
  /** Frames as the container says (nb_frames), 0 when unknown. */
  frames: number;
  /** Video bitrate, bits/s (0 when unknown). */
  bitrate: number;
  pixFmt: string;
}

export interface AudioStreamInfo {
  codec: string;
  bitrate: number;
  sampleRate: number;
  channels: number;
}

export interface ProbeInfo {
  formatName: string;
  durationSec: number;
  sizeBytes: number;
  /** Overall bitrate, bits/s. */
  bitrate: number;
  video?: VideoStreamInfo;
  /** The first audio stream. */
  audio?: AudioStreamInfo;
  audioStreams: number;
}

function ratio(s: string | undefined): number {
  if (!s) return 0;
  const [a, b] = s.split('/').map(Number);
  if (!b) return Number.isFinite(a) ? a : 0;
  return a / b;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  bit_rate?: string;
  pix_fmt?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
  disposition?: { attached_pic?: number };
}

/** Parses `ffprobe -print_format json -show_format -show_streams` output. */
export function parseProbe(json: string): ProbeInfo {
  const data = JSON.parse(json) as { format?: Record<string, string>; streams?: RawStream[] };
  const format = data.format ?? {};
  const streams = data.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  const durationSec = Number(format.duration) || Number(v?.duration) || 0;
  const info: ProbeInfo = {
    formatName: format.format_name ?? '',
    durationSec,
    sizeBytes: Number(format.size) || 0,
    bitrate: Number(format.bit_rate) || 0,
    audioStreams: streams.filter((s) => s.codec_type === 'audio').length,
  };
  if (v) {
    const rotation = Math.abs(Number(v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? v.tags?.rotate ?? 0)) % 180;
    let width = v.width ?? 0;
    let height = v.height ?? 0;
    if (rotation === 90) [width, height] = [height, width];
    const fps = ratio(v.avg_frame_rate) || ratio(v.r_frame_rate);
    const sar = ratio(v.sample_aspect_ratio) || 1;
    let bitrate = Number(v.bit_rate) || 0;
    if (!bitrate && info.bitrate) bitrate = Math.max(0, info.bitrate - (Number(a?.bit_rate) || 0));
    info.video = { codec: v.codec_name ?? '', width, height, sar, fps, frames: Number(v.nb_frames) || 0, bitrate, pixFmt: v.pix_fmt ?? '' };
  }
  if (a) {
    info.audio = { codec: a.codec_name ?? '', bitrate: Number(a.bit_rate) || 0, sampleRate: Number(a.sample_rate) || 0, channels: a.channels ?? 0 };
  }
  return info;
}

/** Probes a local file (or URL ffprobe can read). Throws a RuntimeError with ffprobe's reason. */
export async function probeFile(ffprobe: string, path: string, signal?: AbortSignal): Promise<ProbeInfo> {
  const res = await runTool(
    ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
    { captureStdout: true, signal, timeoutMs: 60_000 },
  );
  if (res.code !== 0) throw new RuntimeError(`ffprobe cannot read it: ${errorSummary(res.stderrTail)}`);
  try {
    return parseProbe(res.stdout);
  } catch {
    throw new RuntimeError('ffprobe printed no readable JSON');
  }
}

/** Bits per pixel per frame of the video stream: bitrate / (width * height * fps). */
export function bitsPerPixel(v: VideoStreamInfo): number {
  if (!v.bitrate || !v.width || !v.height || !v.fps) return 0;
  return v.bitrate / (v.width * v.height * v.fps);
}
