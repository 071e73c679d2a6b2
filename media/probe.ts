// What ffprobe says about a file: the main video stream as it is stored and as
// it is displayed (rotation from the display matrix or the legacy `rotate`
// tag, non-square sample aspect), every stream with its language and title,
// chapters and container tags.
import { RuntimeError } from '../lib/errors.js';
import { errorSummary, runTool } from './ffmpeg.js';

export type StreamType = 'video' | 'audio' | 'subtitle' | 'data' | 'attachment';

/** One stream of the file, as the inventory of what a re-encode must keep. */
export interface StreamInfo {
  /** Index in the file (ffmpeg's 0:N). */
  index: number;
  type: StreamType;
  codec: string;
  /** Four-character code in MP4/MOV ("tmcd", "text"), '' when none. */
  codecTag: string;
  /** A cover picture (a video stream with the attached_pic disposition). */
  attachedPic: boolean;
  isDefault: boolean;
  /** ISO 639 language, undefined when not set or "und". */
  language?: string;
  title?: string;
  /** Attachments: the file name. */
  filename?: string;
  /** SMPTE timecode of the stream (MOV/MP4 video and tmcd tracks carry it as a tag). */
  timecode?: string;
}

export interface VideoStreamInfo {
  index: number;
  codec: string;
  /** Stored frame size, as the decoder produces it (before rotation and sample aspect). */
  width: number;
  height: number;
  /** Sample aspect ratio as a number (1 for square pixels). */
  sar: number;
  /** Clockwise degrees a player turns the picture: 0, 90, 180 or 270. */
  rotation: number;
  /** Where the rotation comes from: the display matrix (ffmpeg turns the picture itself) or a legacy `rotate` tag. */
  rotationSource?: 'displaymatrix' | 'tag';
  /** The 3x3 display matrix (row-major, 16.16 fixed point), when the file has one. */
  displayMatrix?: number[];
  /** Size as displayed: sample aspect applied, then rotation. */
  displayWidth: number;
  displayHeight: number;
  fps: number;
  /** Frames as the container says (nb_frames), 0 when unknown. */
  frames: number;
  /** Video bitrate, bits/s (0 when unknown). */
  bitrate: number;
  pixFmt: string;
  /** Fields rather than frames (field_order tt, bb, tb or bt). */
  interlaced: boolean;
}

export interface AudioStreamInfo {
  index: number;
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
  /** The main video stream: the first that is not a cover picture. */
  video?: VideoStreamInfo;
  /** The first audio stream. */
  audio?: AudioStreamInfo;
  /** Every audio stream, in file order. */
  audioTracks: AudioStreamInfo[];
  audioStreams: number;
  /** Every stream, in file order. */
  streams: StreamInfo[];
  chapters: number;
  /** Container tags (title, creation_time...). */
  tags: Record<string, string>;
}

function ratio(s: string | undefined): number {
  if (!s) return 0;
  const [a, b] = s.split(/[/:]/).map(Number);
  if (!b) return Number.isFinite(a) ? a : 0;
  return a / b;
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  codec_tag_string?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  bit_rate?: string;
  pix_fmt?: string;
  field_order?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number; displaymatrix?: string }[];
  disposition?: { attached_pic?: number; default?: number };
}

/** Tags by lower-case name (MKV writes TITLE, MP4 title). */
function lowerTags(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** The nine numbers of ffprobe's displaymatrix text ("00000000: 0 65536 0\n..."). */
export function parseDisplayMatrix(text: string | undefined): number[] | undefined {
  if (!text) return undefined;
  const nums = text
    .split('\n')
    .map((l) => l.replace(/^\s*[0-9a-f]+:/i, ''))
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return nums.length === 9 && nums.every(Number.isFinite) ? nums : undefined;
}

/** Clockwise degrees (0, 90, 180, 270) from ffprobe's rotation (counter-clockwise, e.g. -90) or a rotate tag (clockwise). */
export function clockwise(degrees: number): number {
  const d = ((Math.round(degrees) % 360) + 360) % 360;
  return Math.round(d / 90) * 90 % 360;
}

/** Parses `ffprobe -print_format json -show_format -show_streams -show_chapters` output. */
export function parseProbe(json: string): ProbeInfo {
  const data = JSON.parse(json) as { format?: Record<string, string> & { tags?: Record<string, string> }; streams?: RawStream[]; chapters?: unknown[] };
  const format = data.format ?? {};
  const raw = data.streams ?? [];
  const streams: StreamInfo[] = raw.map((s, i) => {
    const tags = lowerTags(s.tags);
    const type = (['video', 'audio', 'subtitle', 'data', 'attachment'] as const).find((t) => t === s.codec_type) ?? 'data';
    const language = tags.language && tags.language !== 'und' ? tags.language : undefined;
    return {
      index: s.index ?? i, type, codec: s.codec_name ?? 'unknown', codecTag: /^[\x20-\x7e]{4}$/.test(s.codec_tag_string ?? '') ? s.codec_tag_string! : '',
      attachedPic: s.disposition?.attached_pic === 1, isDefault: s.disposition?.default === 1, language, title: tags.title, filename: tags.filename, timecode: tags.timecode,
    };
  });
  const vIdx = raw.findIndex((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const v = vIdx >= 0 ? raw[vIdx] : undefined;
  const audioRaw = raw.map((s, i) => ({ s, i })).filter(({ s }) => s.codec_type === 'audio');
  const audioTracks: AudioStreamInfo[] = audioRaw.map(({ s, i }) => ({
    index: s.index ?? i, codec: s.codec_name ?? '', bitrate: Number(s.bit_rate) || 0, sampleRate: Number(s.sample_rate) || 0, channels: s.channels ?? 0,
  }));
  const durationSec = Number(format.duration) || Number(v?.duration) || 0;
  const info: ProbeInfo = {
    formatName: format.format_name ?? '',
    durationSec,
    sizeBytes: Number(format.size) || 0,
    bitrate: Number(format.bit_rate) || 0,
    audioTracks,
    audio: audioTracks[0],
    audioStreams: audioTracks.length,
    streams,
    chapters: data.chapters?.length ?? 0,
    tags: lowerTags(format.tags),
  };
  if (v) {
    const matrixSide = v.side_data_list?.find((d) => d.rotation !== undefined || d.displaymatrix !== undefined);
    const tag = lowerTags(v.tags).rotate;
    let rotation = 0;
    let rotationSource: VideoStreamInfo['rotationSource'];
    if (matrixSide) {
      // ffprobe gives the matrix's angle counter-clockwise; players turn the picture the other way.
      rotation = clockwise(-(matrixSide.rotation ?? 0));
      rotationSource = 'displaymatrix';
    } else if (tag !== undefined && Number.isFinite(Number(tag))) {
      rotation = clockwise(Number(tag));
      rotationSource = rotation ? 'tag' : undefined;
    }
    const width = v.width ?? 0;
    const height = v.height ?? 0;
    const sar = ratio(v.sample_aspect_ratio) || 1;
    let displayWidth = Math.max(1, Math.round(width * sar));
    let displayHeight = height;
    if (rotation % 180 === 90) [displayWidth, displayHeight] = [displayHeight, displayWidth];
    const fps = ratio(v.avg_frame_rate) || ratio(v.r_frame_rate);
    let bitrate = Number(v.bit_rate) || 0;
    if (!bitrate && info.bitrate) bitrate = Math.max(0, info.bitrate - audioTracks.reduce((a, t) => a + t.bitrate, 0));
    info.video = {
      index: v.index ?? vIdx, codec: v.codec_name ?? '', width, height, sar, rotation, rotationSource,
      displayMatrix: parseDisplayMatrix(matrixSide?.displaymatrix), displayWidth: width ? displayWidth : 0, displayHeight,
      fps, frames: Number(v.nb_frames) || 0, bitrate, pixFmt: v.pix_fmt ?? '', interlaced: ['tt', 'bb', 'tb', 'bt'].includes(v.field_order ?? ''),
    };
  }
  return info;
}

/** Probes a local file (or URL ffprobe can read). Throws a RuntimeError with ffprobe's reason. */
export async function probeFile(ffprobe: string, path: string, signal?: AbortSignal): Promise<ProbeInfo> {
  const res = await runTool(
    ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', path],
    { captureStdout: true, signal, timeoutMs: 60_000 },
  );
  if (res.code !== 0) throw new RuntimeError(`ffprobe cannot read it: ${errorSummary(res.stderrTail)}`);
  try {
    return parseProbe(res.stdout);
  } catch {
    throw new RuntimeError('ffprobe printed no readable JSON');
  }
}

/** Bits per pixel per frame of the video stream: bitrate / (width * height * fps), stored pixels. */
export function bitsPerPixel(v: VideoStreamInfo): number {
  if (!v.bitrate || !v.width || !v.height || !v.fps) return 0;
  return v.bitrate / (v.width * v.height * v.fps);
}

/** "1080x1920" as displayed, with how it is stored when that differs: "1080x1920 (stored 1920x1080, turned 90°)". */
export function describeResolution(v: VideoStreamInfo): string {
  const notes: string[] = [];
  if (v.rotation) notes.push(`turned ${v.rotation}°`);
  if (Math.abs(v.sar - 1) > 1e-3) notes.push(`sample aspect ${v.sar.toFixed(3)}`);
  return `${v.displayWidth}x${v.displayHeight}${notes.length ? ` (stored ${v.width}x${v.height}, ${notes.join(', ')})` : ''}`;
}
