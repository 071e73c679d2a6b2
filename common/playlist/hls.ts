// HLS playlists (RFC 8216): the master playlist parsed whole (it is small), the
// media playlist read line by line as its text arrives, handing out segments as
// they complete, so a ten-hour playlist never becomes ten hours of objects.
// URIs are returned as written; resolve them with uri.ts against the playlist URL.

/** A sub-range of a resource: `length` bytes from `offset` (EXT-X-BYTERANGE n@o). */
export interface ByteRange {
  offset: number;
  length: number;
}

export class PlaylistError extends Error {}

/** Attribute list (RFC 8216 section 4.2): NAME=value pairs, quoted strings unquoted. */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Z0-9-]+)\s*=\s*("[^"]*"|[^,]*)\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    const raw = m[2].trim();
    out[m[1]] = raw.startsWith('"') ? raw.slice(1, -1) : raw;
  }
  return out;
}

/** `n[@o]`: the offset is undefined when not written. */
export function parseByteRange(text: string): { length: number; offset?: number } | undefined {
  const m = /^\s*(\d+)(?:@(\d+))?\s*$/.exec(text);
  if (!m) return undefined;
  return m[2] === undefined ? { length: Number(m[1]) } : { length: Number(m[1]), offset: Number(m[2]) };
}

function resolution(text: string | undefined): { width: number; height: number } | undefined {
  const m = text ? /^(\d+)x(\d+)$/i.exec(text.trim()) : null;
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** One EXT-X-STREAM-INF (or EXT-X-I-FRAME-STREAM-INF) entry of a master playlist. */
export interface HlsVariant {
  uri: string;
  /** Peak bits per second (BANDWIDTH). */
  bandwidth: number;
  averageBandwidth?: number;
  codecs?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  /** GROUP-IDs of the EXT-X-MEDIA renditions this variant plays with. */
  audio?: string;
  video?: string;
  subtitles?: string;
}

/** One EXT-X-MEDIA rendition (alternative audio, video or subtitles). */
export interface HlsMedia {
  type: string;
  groupId: string;
  name: string;
  /** Absent when the rendition is muxed into the variant's own stream. */
  uri?: string;
  language?: string;
  default: boolean;
  autoselect: boolean;
  channels?: string;
}

export interface HlsMasterPlaylist {
  version?: number;
  variants: HlsVariant[];
  iFrameVariants: HlsVariant[];
  media: HlsMedia[];
  independentSegments: boolean;
}

/** One media segment of a media playlist. */
export interface HlsSegment {
  uri: string;
  /** EXTINF seconds. */
  duration: number;
  title: string;
  /** Media sequence number (EXT-X-MEDIA-SEQUENCE + position). */
  sequence: number;
  /** An EXT-X-DISCONTINUITY precedes this segment. */
  discontinuity: boolean;
  discontinuitySequence: number;
  byteRange?: ByteRange;
  /** The media initialization section (EXT-X-MAP) in force for this segment. */
  map?: { uri: string; byteRange?: ByteRange };
  /** EXT-X-KEY in force (METHOD NONE is left out). */
  key?: { method: string; uri?: string };
  programDateTime?: string;
  /** EXT-X-GAP: the segment is missing and must not be loaded. */
  gap: boolean;
}

/** What a media playlist says about itself, complete once the whole text is read. */
export interface HlsMediaInfo {
  version?: number;
  targetDuration?: number;
  mediaSequence: number;
  discontinuitySequence: number;
  /** VOD or EVENT, when the playlist says. */
  playlistType?: string;
  /** EXT-X-ENDLIST: no segment will be added (VOD, or a finished live stream). */
  endList: boolean;
  iFramesOnly: boolean;
  independentSegments: boolean;
  segmentCount: number;
}

/** 'master' when the playlist names variants, 'media' when it lists segments. */
export function playlistKind(text: string): 'master' | 'media' {
  return /^#EXT-X-(?:STREAM-INF|I-FRAME-STREAM-INF)\b/m.test(text) ? 'master' : 'media';
}

function checkHeader(firstLine: string): void {
  if (firstLine.replace(/^\uFEFF/, '').trim() !== '#EXTM3U') {
    throw new PlaylistError(`not an HLS playlist (the first line is not #EXTM3U: "${firstLine.slice(0, 40)}")`);
  }
}

function tagOf(line: string): [string, string] {
  const colon = line.indexOf(':');
  return colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1)];
}

function variantFrom(a: Record<string, string>, uri: string): HlsVariant {
  const v: HlsVariant = { uri, bandwidth: num(a.BANDWIDTH) ?? 0 };
  const avg = num(a['AVERAGE-BANDWIDTH']);
  if (avg !== undefined) v.averageBandwidth = avg;
  if (a.CODECS) v.codecs = a.CODECS;
  const res = resolution(a.RESOLUTION);
  if (res) {
    v.width = res.width;
    v.height = res.height;
  }
  const fr = num(a['FRAME-RATE']);
  if (fr !== undefined) v.frameRate = fr;
  if (a.AUDIO) v.audio = a.AUDIO;
  if (a.VIDEO) v.video = a.VIDEO;
  if (a.SUBTITLES) v.subtitles = a.SUBTITLES;
  return v;
}

/** Parses a master (multivariant) playlist. */
export function parseMasterPlaylist(text: string): HlsMasterPlaylist {
  const lines = text.split(/\r?\n/);
  checkHeader(lines[0] ?? '');
  const out: HlsMasterPlaylist = { variants: [], iFrameVariants: [], media: [], independentSegments: false };
  let pending: Record<string, string> | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (!line.startsWith('#')) {
      // The URI line after EXT-X-STREAM-INF.
      if (pending) out.variants.push(variantFrom(pending, line));
      pending = null;
      continue;
    }
    if (!line.startsWith('#EXT')) continue; // a comment
    const [tag, value] = tagOf(line);
    switch (tag) {
      case '#EXT-X-VERSION':
        out.version = num(value);
        break;
      case '#EXT-X-INDEPENDENT-SEGMENTS':
        out.independentSegments = true;
        break;
      case '#EXT-X-STREAM-INF':
        pending = parseAttributes(value);
        break;
      case '#EXT-X-I-FRAME-STREAM-INF': {
        const a = parseAttributes(value);
        if (a.URI) out.iFrameVariants.push(variantFrom(a, a.URI));
        break;
      }
      case '#EXT-X-MEDIA': {
        const a = parseAttributes(value);
        const m: HlsMedia = { type: a.TYPE ?? '', groupId: a['GROUP-ID'] ?? '', name: a.NAME ?? '', default: a.DEFAULT === 'YES', autoselect: a.AUTOSELECT === 'YES' };
        if (a.URI) m.uri = a.URI;
        if (a.LANGUAGE) m.language = a.LANGUAGE;
        if (a.CHANNELS) m.channels = a.CHANNELS;
        out.media.push(m);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Reads a media playlist as its text arrives; `push` and `end` return the segments completed. */
export interface MediaPlaylistReader {
  readonly info: HlsMediaInfo;
  push(chunk: string): HlsSegment[];
  end(): HlsSegment[];
}

export function createMediaPlaylistReader(): MediaPlaylistReader {
  const info: HlsMediaInfo = { mediaSequence: 0, discontinuitySequence: 0, endList: false, iFramesOnly: false, independentSegments: false, segmentCount: 0 };
  let partial = '';
  let lineNo = 0;
  let sequence = -1;
  let discontinuitySequence = -1;
  // State carried to the next segment.
  let duration: number | undefined;
  let title = '';
  let discontinuity = false;
  let byteRange: { length: number; offset?: number } | undefined;
  let programDateTime: string | undefined;
  let gap = false;
  let map: HlsSegment['map'];
  let key: HlsSegment['key'];
  // Where the previous sub-range of each resource ended (EXT-X-BYTERANGE without @o).
  let lastRangeUri = '';
  let lastRangeEnd = 0;

  const line = (raw: string, out: HlsSegment[]): void => {
    lineNo++;
    if (lineNo === 1) return checkHeader(raw);
    const text = raw.trim();
    if (text === '') return;
    if (!text.startsWith('#')) {
      if (sequence < 0) sequence = info.mediaSequence;
      if (discontinuitySequence < 0) discontinuitySequence = info.discontinuitySequence;
      // The first segment's number is EXT-X-DISCONTINUITY-SEQUENCE itself, tag or not (RFC 8216 6.2.1).
      if (discontinuity && info.segmentCount > 0) discontinuitySequence++;
      const seg: HlsSegment = {
        uri: text,
        duration: duration ?? 0,
        title,
        sequence,
        discontinuity,
        discontinuitySequence,
        gap,
      };
      if (byteRange) {
        const offset = byteRange.offset ?? (lastRangeUri === text ? lastRangeEnd : 0);
        seg.byteRange = { offset, length: byteRange.length };
        lastRangeUri = text;
        lastRangeEnd = offset + byteRange.length;
      }
      if (map) seg.map = map;
      if (key) seg.key = key;
      if (programDateTime) seg.programDateTime = programDateTime;
      out.push(seg);
      info.segmentCount++;
      sequence++;
      duration = undefined;
      title = '';
      discontinuity = false;
      byteRange = undefined;
      programDateTime = undefined;
      gap = false;
      return;
    }
    if (!text.startsWith('#EXT')) return; // a comment
    const [tag, value] = tagOf(text);
    switch (tag) {
      case '#EXTINF': {
        const comma = value.indexOf(',');
        duration = num(comma < 0 ? value : value.slice(0, comma)) ?? 0;
        title = comma < 0 ? '' : value.slice(comma + 1);
        break;
      }
      case '#EXT-X-VERSION':
        info.version = num(value);
        break;
      case '#EXT-X-TARGETDURATION':
        info.targetDuration = num(value);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        info.mediaSequence = num(value) ?? 0;
        break;
      case '#EXT-X-DISCONTINUITY-SEQUENCE':
        info.discontinuitySequence = num(value) ?? 0;
        break;
      case '#EXT-X-PLAYLIST-TYPE':
        info.playlistType = value.trim();
        break;
      case '#EXT-X-ENDLIST':
        info.endList = true;
        break;
      case '#EXT-X-I-FRAMES-ONLY':
        info.iFramesOnly = true;
        break;
      case '#EXT-X-INDEPENDENT-SEGMENTS':
        info.independentSegments = true;
        break;
      case '#EXT-X-DISCONTINUITY':
        discontinuity = true;
        break;
      case '#EXT-X-GAP':
        gap = true;
        break;
      case '#EXT-X-PROGRAM-DATE-TIME':
        programDateTime = value.trim();
        break;
      case '#EXT-X-BYTERANGE':
        byteRange = parseByteRange(value);
        if (!byteRange) throw new PlaylistError(`line ${lineNo}: bad EXT-X-BYTERANGE "${value}"`);
        break;
      case '#EXT-X-MAP': {
        const a = parseAttributes(value);
        if (!a.URI) throw new PlaylistError(`line ${lineNo}: EXT-X-MAP without URI`);
        map = { uri: a.URI };
        if (a.BYTERANGE) {
          const r = parseByteRange(a.BYTERANGE);
          if (!r) throw new PlaylistError(`line ${lineNo}: bad EXT-X-MAP BYTERANGE "${a.BYTERANGE}"`);
          map.byteRange = { length: r.length, offset: r.offset ?? 0 };
        }
        break;
      }
      case '#EXT-X-KEY': {
        const a = parseAttributes(value);
        key = !a.METHOD || a.METHOD === 'NONE' ? undefined : a.URI ? { method: a.METHOD, uri: a.URI } : { method: a.METHOD };
        break;
      }
      default:
        // Low-latency parts, EXT-X-DEFINE, daterange, skip and the rest do not change which segments exist.
        break;
    }
  };

  const drain = (final: boolean): HlsSegment[] => {
    const out: HlsSegment[] = [];
    let start = 0;
    for (;;) {
      const nl = partial.indexOf('\n', start);
      if (nl < 0) break;
      line(partial.slice(start, nl).replace(/\r$/, ''), out);
      start = nl + 1;
    }
    partial = partial.slice(start);
    if (final && partial !== '') {
      line(partial, out);
      partial = '';
    }
    return out;
  };

  return {
    info,
    push(chunk) {
      partial += chunk;
      return drain(false);
    },
    end() {
      const out = drain(true);
      if (lineNo === 0) throw new PlaylistError('empty playlist');
      return out;
    },
  };
}

/** Every segment of a media playlist text, one at a time. */
export function* mediaSegments(text: string, reader: MediaPlaylistReader = createMediaPlaylistReader()): Generator<HlsSegment> {
  // Fed in slices, so only a slice's segments exist at once.
  const SLICE = 64 * 1024;
  for (let i = 0; i < text.length; i += SLICE) yield* reader.push(text.slice(i, i + SLICE));
  yield* reader.end();
}

/** The whole media playlist at once (tests, small playlists). */
export function parseMediaPlaylist(text: string): { info: HlsMediaInfo; segments: HlsSegment[] } {
  const reader = createMediaPlaylistReader();
  const segments = [...mediaSegments(text, reader)];
  return { info: reader.info, segments };
}
