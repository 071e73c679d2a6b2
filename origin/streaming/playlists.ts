// The playlists the origin serves, written from the parsed ffmpeg output: media
// playlists (VOD, or a live window), master playlists whose BANDWIDTH is the
// measured peak segment bit rate (RFC 8216 4.3.4.2), and the MPD pointed at the
// shared CMAF folder.
import type { ByteRange, HlsSegment } from '../../common/playlist/hls.js';

export interface MediaPlaylistHead {
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  /** VOD playlists end with EXT-X-ENDLIST; live ones do not. */
  vod: boolean;
}

const range = (r: ByteRange) => `${r.length}@${r.offset}`;

/** Segments as written; `uri(s)` may rewrite each URI (e.g. into another folder). */
export function writeMediaPlaylist(head: MediaPlaylistHead, segments: Iterable<HlsSegment & { programDateTime?: string }>, uri: (u: string) => string = (u) => u): string {
  const out = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${head.targetDuration}`, `#EXT-X-MEDIA-SEQUENCE:${head.mediaSequence}`];
  if (head.discontinuitySequence > 0) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${head.discontinuitySequence}`);
  if (head.vod) out.push('#EXT-X-PLAYLIST-TYPE:VOD');
  out.push('#EXT-X-INDEPENDENT-SEGMENTS');
  let map = '';
  let first = true;
  for (const s of segments) {
    // A discontinuity tag on the first segment is already counted in EXT-X-DISCONTINUITY-SEQUENCE.
    if (s.discontinuity && !first) out.push('#EXT-X-DISCONTINUITY');
    if (s.map) {
      const m = `#EXT-X-MAP:URI="${uri(s.map.uri)}"${s.map.byteRange ? `,BYTERANGE="${range(s.map.byteRange)}"` : ''}`;
      // EXT-X-MAP is repeated after a discontinuity so a player re-initialises.
      if (m !== map || (s.discontinuity && !first)) out.push(m);
      map = m;
    }
    if (s.programDateTime) out.push(`#EXT-X-PROGRAM-DATE-TIME:${s.programDateTime}`);
    out.push(`#EXTINF:${s.duration.toFixed(6)},`);
    if (s.byteRange) out.push(`#EXT-X-BYTERANGE:${range(s.byteRange)}`);
    out.push(uri(s.uri));
    first = false;
  }
  if (head.vod) out.push('#EXT-X-ENDLIST');
  return `${out.join('\n')}\n`;
}

/** Peak segment bit rate (RFC 8216 4.3.4.2): the highest rate of any run of segments lasting at most the target duration. */
export function peakBitrate(segments: readonly { bytes: number; duration: number }[], targetDuration: number): number {
  let peak = 0;
  for (let i = 0; i < segments.length; i++) {
    let bytes = 0;
    let dur = 0;
    for (let j = i; j < segments.length; j++) {
      if (dur + segments[j].duration > targetDuration + 1e-6 && j > i) break;
      bytes += segments[j].bytes;
      dur += segments[j].duration;
      if (dur > 0) peak = Math.max(peak, (bytes * 8) / dur);
    }
  }
  return Math.ceil(peak);
}

export function averageBitrate(segments: readonly { bytes: number; duration: number }[]): number {
  const bytes = segments.reduce((a, s) => a + s.bytes, 0);
  const dur = segments.reduce((a, s) => a + s.duration, 0);
  return dur > 0 ? Math.ceil((bytes * 8) / dur) : 0;
}

export interface MasterVariant {
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  frameRate?: number;
  codecs: string;
  audioGroup?: string;
}

export interface MasterAudio {
  groupId: string;
  name: string;
  uri: string;
  channels?: number;
}

export function writeMasterPlaylist(variants: readonly MasterVariant[], audio?: MasterAudio): string {
  const out = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) {
    const ch = audio.channels ? `,CHANNELS="${audio.channels}"` : '';
    out.push(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${audio.groupId}",NAME="${audio.name}",DEFAULT=YES,AUTOSELECT=YES${ch},URI="${audio.uri}"`);
  }
  for (const v of variants) {
    const attrs = [`BANDWIDTH=${v.bandwidth}`, `AVERAGE-BANDWIDTH=${v.averageBandwidth}`, `RESOLUTION=${v.width}x${v.height}`];
    if (v.frameRate) attrs.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
    attrs.push(`CODECS="${v.codecs}"`);
    if (v.audioGroup) attrs.push(`AUDIO="${v.audioGroup}"`);
    out.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return `${out.join('\n')}\n`;
}

/**
 * ffmpeg's MPD with a BaseURL as the Period's first child (where the schema puts
 * it), so the manifest in dash/ addresses the segments in cmaf/, and each
 * Representation@bandwidth replaced by the measured figure when one is given.
 */
export function rebaseMpd(mpd: string, baseUrl: string, bandwidth: Record<string, number> = {}): string {
  let out = mpd.replace(/(<Period\b[^>]*>)/g, `$1\n\t\t<BaseURL>${baseUrl}</BaseURL>`);
  out = out.replace(/<Representation\b[^>]*>/g, (tag) => {
    const id = /\bid="([^"]*)"/.exec(tag)?.[1];
    const bw = id !== undefined ? bandwidth[id] : undefined;
    return bw ? tag.replace(/\bbandwidth="\d+"/, `bandwidth="${bw}"`) : tag;
  });
  return out;
}
