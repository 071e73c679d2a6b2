// Every stream of a source has a fate in the output: the main video is
// re-encoded; each audio track is copied or re-encoded to the profile;
// subtitles are copied or converted to the container's text format (mov_text
// in MP4/MOV, WebVTT in WebM, SubRip in MKV); cover pictures, attachments and
// data streams are copied where the container holds them. What the container
// cannot hold is dropped only when a --drop-* flag says so; otherwise the file
// is refused with the reason. Chapters and container/stream metadata are copied.
import type { AudioStreamInfo, ProbeInfo, StreamInfo } from '../media/probe.js';
import { AUDIO_PROFILE, CONTAINER_AUDIO, type AudioProfileName, type ContainerName } from './profiles.js';

export interface DropFlags {
  subtitles: boolean;
  dataStreams: boolean;
  attachments: boolean;
}

export const NO_DROPS: DropFlags = { subtitles: false, dataStreams: false, attachments: false };

export type StreamRole = 'video' | 'audio' | 'subtitle' | 'cover' | 'attachment' | 'data' | 'extra video';

export interface StreamDecision {
  stream: StreamInfo;
  role: StreamRole;
  /** encode: the main video; transcode: audio or subtitle re-encoded/converted; copy; drop (a flag said so). */
  action: 'encode' | 'transcode' | 'copy' | 'drop';
  /** Codec options for this stream in the output, without the stream specifier ("-c", "aac", "-b", "128k"). */
  options: string[];
  /** The codec name ffprobe will report in the output. */
  outputCodec: string;
  /** Why it is dropped (with the flag), or how it is converted. */
  note?: string;
}

export interface StreamPlan {
  /** Mapped streams in output order: the main video first, then the others in source order. */
  mapped: StreamDecision[];
  dropped: StreamDecision[];
  /** Why the file cannot be made without losing a stream (no flag given), else undefined. */
  refused?: string;
  /** Chapter text tracks of MP4/MOV sources: the muxer writes them again from the chapters. */
  chapterTracks: StreamInfo[];
  /**
   * The source's timecode (a tmcd track, or the video stream's timecode tag). It is set on the output's
   * video stream, from which the MP4/MOV muxer writes a tmcd track again (MKV and WebM keep it as a tag).
   */
  timecode?: string;
}

const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text', 'microdvd', 'subviewer', 'jacosub', 'realtext', 'sami', 'stl', 'mpl2', 'pjs', 'vplayer']);
/** Subtitle codecs each container takes as they are (bitmap subtitles included where the muxer writes them). */
const SUBTITLES_KEPT: Record<ContainerName, Set<string>> = {
  mp4: new Set(['mov_text', 'dvd_subtitle']),
  mov: new Set(['mov_text']),
  mkv: new Set(['subrip', 'ass', 'ssa', 'webvtt', 'dvd_subtitle', 'hdmv_pgs_subtitle', 'dvb_subtitle']),
  webm: new Set(['webvtt']),
};
/** The text format each container converts other text subtitles to. */
export const SUBTITLE_TEXT_FORMAT: Record<ContainerName, { codec: string; encoder: string }> = {
  mp4: { codec: 'mov_text', encoder: 'mov_text' },
  mov: { codec: 'mov_text', encoder: 'mov_text' },
  mkv: { codec: 'subrip', encoder: 'srt' },
  webm: { codec: 'webvtt', encoder: 'webvtt' },
};
const COVER_CODECS = new Set(['mjpeg', 'png', 'bmp']);

function describe(s: StreamInfo): string {
  const what = [s.codec, s.codecTag && s.codecTag !== s.codec ? `'${s.codecTag}'` : '', s.language ?? '', s.title ? `"${s.title}"` : ''].filter(Boolean).join(', ');
  return `#${s.index} (${what})`;
}

/** Whether a data stream is the QuickTime text track an MP4/MOV muxer writes for chapters. */
export function isChapterTrack(s: StreamInfo, probe: Pick<ProbeInfo, 'chapters' | 'formatName'>): boolean {
  return s.type === 'data' && s.codecTag === 'text' && probe.chapters > 0 && /mov|mp4/.test(probe.formatName);
}

/** -metadata for output stream 0 that carries the source's timecode over (the muxer makes the tmcd track from it). */
export function timecodeArgs(plan: StreamPlan): string[] {
  return plan.timecode ? ['-metadata:s:0', `timecode=${plan.timecode}`] : [];
}

export interface StreamPlanOptions {
  container: ContainerName;
  audioProfile: AudioProfileName;
  drop: DropFlags;
  /** The source's container, for data streams: copied only into the container they came from. */
  sourceContainer?: ContainerName;
}

export function planStreams(probe: ProbeInfo, o: StreamPlanOptions): StreamPlan {
  const main = probe.video;
  const mapped: StreamDecision[] = [];
  const dropped: StreamDecision[] = [];
  const chapterTracks: StreamInfo[] = [];
  const problems: string[] = [];
  const mainTimecode = main ? probe.streams.find((x) => x.index === main.index)?.timecode : undefined;
  const timecode = mainTimecode ?? probe.streams.find((x) => x.codecTag === 'tmcd' && x.timecode)?.timecode;
  const cannot = (s: StreamInfo, role: StreamRole, flag: keyof DropFlags, flagName: string, why: string) => {
    if (o.drop[flag]) dropped.push({ stream: s, role, action: 'drop', options: [], outputCodec: '', note: `${why} (${flagName})` });
    else problems.push(`${role} ${describe(s)}: ${why}; ${flagName} drops it`);
  };
  for (const s of probe.streams) {
    if (main && s.index === main.index) continue;
    if (s.type === 'audio') {
      const track = probe.audioTracks.find((a) => a.index === s.index)!;
      const a = audioArgs(track, o.audioProfile, o.container);
      mapped.push({ stream: s, role: 'audio', action: a.copied ? 'copy' : 'transcode', options: a.args, outputCodec: a.copied ? s.codec : a.codec });
    } else if (s.type === 'subtitle') {
      if (o.drop.subtitles) {
        dropped.push({ stream: s, role: 'subtitle', action: 'drop', options: [], outputCodec: '', note: '--drop-subtitles' });
      } else if (SUBTITLES_KEPT[o.container].has(s.codec)) {
        mapped.push({ stream: s, role: 'subtitle', action: 'copy', options: ['-c', 'copy'], outputCodec: s.codec });
      } else if (TEXT_SUBTITLES.has(s.codec)) {
        const t = SUBTITLE_TEXT_FORMAT[o.container];
        mapped.push({ stream: s, role: 'subtitle', action: 'transcode', options: ['-c', t.encoder], outputCodec: t.codec, note: `${s.codec} converted to ${t.codec}` });
      } else {
        cannot(s, 'subtitle', 'subtitles', '--drop-subtitles', `${o.container} cannot hold ${s.codec} subtitles`);
      }
    } else if (s.type === 'video' && s.attachedPic) {
      // (ffmpeg 5.1 writes a cover into MKV as a second video track, not as a cover: MP4 and MOV only.)
      if ((o.container === 'mp4' || o.container === 'mov') && COVER_CODECS.has(s.codec)) {
        mapped.push({ stream: s, role: 'cover', action: 'copy', options: ['-c', 'copy'], outputCodec: s.codec });
      } else cannot(s, 'cover', 'attachments', '--drop-attachments', `${o.container} cannot hold a ${s.codec} cover picture`);
    } else if (s.type === 'attachment') {
      if (o.container === 'mkv') mapped.push({ stream: s, role: 'attachment', action: 'copy', options: ['-c', 'copy'], outputCodec: s.codec });
      else cannot(s, 'attachment', 'attachments', '--drop-attachments', `${o.container} cannot hold attachments`);
    } else if (s.type === 'data') {
      if (isChapterTrack(s, probe)) {
        chapterTracks.push(s);
      } else if (s.codecTag === 'tmcd' && (s.timecode || mainTimecode)) {
        // written again from the timecode tag (see StreamPlan.timecode)
      } else if (o.drop.dataStreams) {
        dropped.push({ stream: s, role: 'data', action: 'drop', options: [], outputCodec: '', note: '--drop-data-streams' });
      } else if ((o.container === 'mov' || o.container === 'mp4') && o.sourceContainer === o.container) {
        // The muxer that wrote it can write it again; across containers data streams rarely survive.
        mapped.push({ stream: s, role: 'data', action: 'copy', options: ['-c', 'copy'], outputCodec: s.codec });
      } else {
        cannot(s, 'data', 'dataStreams', '--drop-data-streams', `${o.container} cannot hold this data stream${o.sourceContainer && o.sourceContainer !== o.container ? ` from ${o.sourceContainer}` : ''}`);
      }
    } else if (s.type === 'video') {
      // A second picture stream (another angle): copied where the container takes its codec as it is.
      const ok = o.container === 'mkv' || ((o.container === 'mp4' || o.container === 'mov') && ['h264', 'hevc', 'mpeg4', 'av1', 'vp9'].includes(s.codec)) ||
        (o.container === 'webm' && ['vp8', 'vp9', 'av1'].includes(s.codec));
      if (ok) mapped.push({ stream: s, role: 'extra video', action: 'copy', options: ['-c', 'copy'], outputCodec: s.codec });
      else cannot(s, 'extra video', 'dataStreams', '--drop-data-streams', `${o.container} cannot hold a second ${s.codec} video stream as it is`);
    }
  }
  const mainStream = main ? probe.streams.find((s) => s.index === main.index) : undefined;
  const all = mainStream ? [{ stream: mainStream, role: 'video' as const, action: 'encode' as const, options: [], outputCodec: '' }, ...mapped] : mapped;
  return { mapped: all, dropped, chapterTracks, timecode, refused: problems.length ? `would lose ${problems.join('; ')}` : undefined };
}

/** A stream's options with its output index as the specifier: ["-c", "aac"] at 2 -> ["-c:2", "aac"]. */
export function withIndex(options: readonly string[], outputIndex: number): string[] {
  return options.map((a, i) => (i % 2 === 0 && a.startsWith('-') ? `${a}:${outputIndex}` : a));
}

/** One line naming what was dropped, for the report. */
export function droppedNote(plan: StreamPlan): string | undefined {
  if (!plan.dropped.length) return undefined;
  return `dropped ${plan.dropped.map((d) => `${d.role} ${describe(d.stream)} (${d.note})`).join('; ')}`;
}

/** Whether the source audio can be copied as it is under this profile and container. */
export function audioComplies(a: Omit<AudioStreamInfo, 'index'>, profileName: AudioProfileName, container: ContainerName): boolean {
  const profile = AUDIO_PROFILE[profileName];
  if (a.codec !== CONTAINER_AUDIO[container].codec) return false;
  if (!a.bitrate || a.bitrate > profile.bitrate * 1.05) return false;
  if (profile.channels !== undefined && a.channels > profile.channels) return false;
  if (profile.sampleRate !== undefined && container !== 'webm' && a.sampleRate !== profile.sampleRate) return false;
  return true;
}

/** Audio options for one track (no stream specifier): copy when compliant, else encode to the profile. */
export function audioArgs(a: AudioStreamInfo, profileName: AudioProfileName, container: ContainerName): { args: string[]; copied: boolean; codec: string } {
  if (audioComplies(a, profileName, container)) return { args: ['-c', 'copy'], copied: true, codec: a.codec };
  const profile = AUDIO_PROFILE[profileName];
  const target = CONTAINER_AUDIO[container];
  const args = ['-c', target.encoder, '-b', `${Math.round(profile.bitrate / 1000)}k`];
  if (profile.channels !== undefined) args.push('-ac', String(profile.channels));
  // Opus runs at 48 kHz; the 44.1 kHz of the low profiles applies to AAC only.
  if (target.codec === 'opus') args.push('-ar', '48000');
  else if (profile.sampleRate !== undefined) args.push('-ar', String(profile.sampleRate));
  return { args, copied: false, codec: target.codec };
}
