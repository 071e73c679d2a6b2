// An HLS or DASH stream as the buffer model's MediaSource: one chunk is one
// video segment (plus the audio segments covering the same time, when audio is
// a rendition of its own), from the rendition the ABR rule picks; the init
// segment of a rendition is fetched the first time it is played; HLS media
// playlists are loaded when their rendition is first chosen and, live, reloaded
// no sooner than RFC 8216 section 6.3.4 allows (the target duration after a
// change, half of it after none). Pure: the fetching and the clock are injected.
import { parseMasterPlaylist, parseMediaPlaylist, playlistKind, type ByteRange, type HlsMedia } from '../../../common/playlist/hls.js';
import { dashInitSegment, dashSegments, parseMpd, type DashRepresentation } from '../../../common/playlist/dash.js';
import { resolveUri } from '../../../common/playlist/uri.js';
import type { ChunkResult, Clock, MediaSource } from '../player/playback.js';
import { createAbr, type Abr, type AbrSettings } from './abr.js';

export type StreamProtocol = 'hls' | 'dash';

/** One answer: whether it was right, its body size and how long it took (seconds, first byte sent to last received). */
export interface Fetched {
  ok: boolean;
  bytes: number;
  seconds: number;
  /** Playlists and MPDs only. */
  text?: string;
}

export interface StreamFetcher {
  /** A master playlist, media playlist or MPD, with its body. */
  manifest(url: string, what: 'master' | 'playlist'): Fetched;
  /** An init or media segment; the body is counted, not kept. */
  media(url: string, range: ByteRange | undefined, what: 'init' | 'segment', track: Track): Fetched;
}

export interface Segment {
  url: string;
  range?: ByteRange;
  duration: number;
  /** Media time of its start, seconds (VOD). */
  start: number;
  /** Media sequence number (HLS) or $Number$ (DASH). */
  sequence: number;
  init?: { url: string; range?: ByteRange };
}

export interface Track {
  /** What the metrics' rendition tag says: `640x360`, `audio`... */
  label: string;
  /** Bits per second (BANDWIDTH / @bandwidth). */
  bandwidth: number;
  width?: number;
  height?: number;
  /** HLS: the media playlist, loaded when the track is first played. */
  playlistUrl?: string;
  segments?: Segment[];
  live: boolean;
  targetDuration: number;
  /** ms of the last (re)load, and whether it brought anything new. */
  loadedAt: number;
  changed: boolean;
}

export interface StreamHooks {
  /** The rendition changed (not called for the first choice). */
  switched(from: Track, to: Track): void;
  /** A video segment of this rendition was fetched. */
  selected(track: Track): void;
  /** A live media playlist was (re)loaded at this clock time (ms). */
  reloaded?(track: Track, at: number): void;
}

export interface OpenedStream {
  ok: boolean;
  /** Video renditions (or the one muxed rendition), lowest bandwidth first. */
  tracks: Track[];
  audio?: Track;
  live: boolean;
}

function hlsTrack(url: string, label: string, bandwidth: number, w?: number, h?: number): Track {
  const t: Track = { label, bandwidth, playlistUrl: url, live: false, targetDuration: 0, loadedAt: 0, changed: true };
  if (w) t.width = w;
  if (h) t.height = h;
  return t;
}

const sizeLabel = (w: number | undefined, h: number | undefined, bandwidth: number) => (w && h ? `${w}x${h}` : `${Math.round(bandwidth / 1000)}k`);

/** Loads (or reloads) an HLS track's media playlist; false when it failed. */
function loadHls(t: Track, f: StreamFetcher, now: number): boolean {
  const r = f.manifest(t.playlistUrl as string, 'playlist');
  if (!r.ok || r.text === undefined) return false;
  let parsed;
  try {
    parsed = parseMediaPlaylist(r.text);
  } catch {
    return false;
  }
  const { info, segments } = parsed;
  const before = t.segments;
  let start = 0;
  t.segments = segments
    .filter((s) => !s.gap)
    .map((s) => {
      const seg: Segment = { url: resolveUri(t.playlistUrl as string, s.uri), duration: s.duration, start, sequence: s.sequence };
      start += s.duration;
      if (s.byteRange) seg.range = s.byteRange;
      if (s.map) seg.init = s.map.byteRange ? { url: resolveUri(t.playlistUrl as string, s.map.uri), range: s.map.byteRange } : { url: resolveUri(t.playlistUrl as string, s.map.uri) };
      return seg;
    });
  t.live = !info.endList;
  t.targetDuration = info.targetDuration ?? Math.ceil(Math.max(1, ...segments.map((s) => s.duration)));
  const lastBefore = before && before.length > 0 ? before[before.length - 1].sequence : -1;
  const lastNow = t.segments.length > 0 ? t.segments[t.segments.length - 1].sequence : -1;
  t.changed = before === undefined || lastNow !== lastBefore;
  t.loadedAt = now;
  return true;
}

/** Fetches the master playlist or MPD and lists the renditions. */
export function openStream(protocol: StreamProtocol, url: string, f: StreamFetcher, now: number): OpenedStream {
  const r = f.manifest(url, 'master');
  const fail: OpenedStream = { ok: false, tracks: [], live: false };
  if (!r.ok || r.text === undefined) return fail;
  try {
    if (protocol === 'hls') {
      if (playlistKind(r.text) === 'media') {
        const t = hlsTrack(url, 'main', 0);
        // Already fetched: parse it as the first load.
        const reuse: StreamFetcher = { manifest: () => r, media: f.media };
        if (!loadHls(t, reuse, now)) return fail;
        return { ok: true, tracks: [t], live: t.live };
      }
      const m = parseMasterPlaylist(r.text);
      if (m.variants.length === 0) return fail;
      const tracks = [...m.variants].sort((a, b) => a.bandwidth - b.bandwidth).map((v) => hlsTrack(resolveUri(url, v.uri), sizeLabel(v.width, v.height, v.bandwidth), v.bandwidth, v.width, v.height));
      // The audio the variants play with, when it is a rendition of its own: the default one of the group.
      const group = m.variants[0].audio;
      const audios = m.media.filter((x): x is HlsMedia & { uri: string } => x.type === 'AUDIO' && x.groupId === group && Boolean(x.uri));
      const a = audios.find((x) => x.default) ?? audios[0];
      const out: OpenedStream = { ok: true, tracks, live: false };
      if (a) out.audio = hlsTrack(resolveUri(url, a.uri), 'audio', 0);
      return out;
    }
    const mpd = parseMpd(r.text, url);
    const toTrack = (rep: DashRepresentation, label: string): Track => {
      const init = dashInitSegment(rep);
      const segments: Segment[] = [];
      let start = 0;
      for (const s of dashSegments(rep, mpd, { now })) {
        const seg: Segment = { url: s.url, duration: s.duration, start, sequence: s.number };
        if (s.byteRange) seg.range = s.byteRange;
        if (init) seg.init = init.byteRange ? { url: init.url, range: init.byteRange } : { url: init.url };
        segments.push(seg);
        start += s.duration;
      }
      const t: Track = { label, bandwidth: rep.bandwidth, segments, live: false, targetDuration: Math.max(1, ...segments.map((s) => s.duration)), loadedAt: now, changed: false };
      if (rep.width) t.width = rep.width;
      if (rep.height) t.height = rep.height;
      return t;
    };
    // The first Period (multi-period presentations play their first period).
    const period = mpd.representations[0]?.period;
    const reps = mpd.representations.filter((x) => x.period === period);
    const video = reps.filter((x) => x.contentType === 'video').sort((a, b) => a.bandwidth - b.bandwidth);
    if (video.length === 0) return fail;
    const out: OpenedStream = { ok: true, tracks: video.map((v) => toTrack(v, sizeLabel(v.width, v.height, v.bandwidth))), live: mpd.type === 'dynamic' };
    const audio = reps.find((x) => x.contentType === 'audio');
    if (audio) out.audio = toTrack(audio, 'audio');
    return out;
  } catch {
    return fail;
  }
}

export interface StreamSourceOptions {
  abr: AbrSettings;
  /** Pin one rendition instead of adapting: index into tracks (lowest first), -1 for the highest. */
  fixed?: number;
  /** Media seconds in the player's buffer now (the ABR rule's up-switch condition). */
  buffer: () => number;
  /** Most playlist reloads waiting for the next live segment before the session gives up. */
  maxLiveWaits?: number;
}

export class StreamSource implements MediaSource {
  readonly abr: Abr;
  current = -1;
  /** Video media time fetched up to (VOD: the position; live: seconds fetched since the start). */
  private videoTime = 0;
  private audioTime = 0;
  private nextSeq = -1;
  private audioSeq = -1;
  private inits = new Set<string>();
  switches = 0;

  constructor(
    readonly stream: OpenedStream,
    private readonly f: StreamFetcher,
    private readonly clock: Clock,
    private readonly o: StreamSourceOptions,
    private readonly hooks: StreamHooks,
  ) {
    // HLS BANDWIDTH includes the audio; a DASH video @bandwidth does not, so the audio's is added (an HLS audio rendition has none).
    this.abr = createAbr(stream.tracks.map((t) => t.bandwidth + (stream.audio?.bandwidth ?? 0)), o.abr);
  }

  /** Media seconds of the presentation (Infinity live): of the first loaded video track. */
  duration(): number {
    if (this.stream.live) return Infinity;
    const t = this.stream.tracks.find((x) => x.segments) ?? this.stream.tracks[0];
    const segs = t.segments ?? [];
    return segs.length ? segs[segs.length - 1].start + segs[segs.length - 1].duration : 0;
  }

  /** Loads the first rendition's playlist (HLS) so the duration is known before playing. */
  prepare(): boolean {
    const i = this.pick();
    this.current = i;
    return this.ensureLoaded(this.stream.tracks[i]);
  }

  private pick(): number {
    if (this.o.fixed !== undefined) return this.o.fixed < 0 ? this.stream.tracks.length - 1 : Math.min(this.o.fixed, this.stream.tracks.length - 1);
    return this.abr.choose(this.current, this.o.buffer());
  }

  private ensureLoaded(t: Track): boolean {
    if (t.segments) return true;
    if (!t.playlistUrl) return false;
    const ok = loadHls(t, this.f, this.clock.now());
    if (ok && t.live) this.hooks.reloaded?.(t, t.loadedAt);
    if (ok && t.live) this.stream.live = true;
    return ok;
  }

  /** Reloads a live playlist once RFC 8216 6.3.4 allows: after the target duration if it changed last time, half of it if not. */
  private reload(t: Track): boolean {
    const wait = (t.changed ? t.targetDuration : t.targetDuration / 2) * 1000 - (this.clock.now() - t.loadedAt);
    if (wait > 0) this.clock.sleep(wait / 1000);
    const ok = loadHls(t, this.f, this.clock.now());
    if (ok) this.hooks.reloaded?.(t, t.loadedAt);
    return ok;
  }

  /** The live segment numbered seq, reloading the playlist until it appears. */
  private liveSegment(t: Track, seq: number): Segment | null | 'failed' {
    const max = this.o.maxLiveWaits ?? 20;
    for (let i = 0; ; i++) {
      const segs = t.segments ?? [];
      const found = segs.find((s) => s.sequence === seq);
      if (found) return found;
      // Fell out of the window (a long stall): the oldest one left.
      if (segs.length > 0 && seq < segs[0].sequence) return segs[0];
      if (i >= max) return null;
      if (!t.playlistUrl) return null;
      if (!this.reload(t)) return 'failed';
    }
  }

  private fetchInit(t: Track, seg: Segment): Fetched | null {
    if (!seg.init) return null;
    const id = `${seg.init.url}@${seg.init.range?.offset ?? ''}`;
    if (this.inits.has(id)) return null;
    this.inits.add(id);
    return this.f.media(seg.init.url, seg.init.range, 'init', t);
  }

  next(): ChunkResult | null {
    const tracks = this.stream.tracks;
    const prev = this.current;
    const i = this.pick();
    this.current = i;
    const t = tracks[i];
    if (!this.ensureLoaded(t)) return { ok: false, mediaSeconds: 0 };
    if (prev >= 0 && prev !== i) {
      this.switches++;
      this.hooks.switched(tracks[prev], t);
    }
    let seg: Segment | null;
    if (this.stream.live) {
      const segs = t.segments ?? [];
      // A live stream starts three segments from the end, as hls.js does.
      if (this.nextSeq < 0) this.nextSeq = segs.length > 0 ? segs[Math.max(0, segs.length - 3)].sequence : 0;
      // A rendition loaded before has an old list: reload it when it lacks the segment.
      const found = this.liveSegment(t, this.nextSeq);
      if (found === 'failed') return { ok: false, mediaSeconds: 0 };
      seg = found;
    } else {
      seg = (t.segments ?? []).find((s) => s.start + s.duration > this.videoTime + 1e-6) ?? null;
    }
    if (!seg) return null;
    let bytes = 0;
    let seconds = 0;
    const init = this.fetchInit(t, seg);
    if (init) {
      if (!init.ok) return { ok: false, mediaSeconds: 0 };
      seconds += init.seconds;
    }
    const got = this.f.media(seg.url, seg.range, 'segment', t);
    if (!got.ok) return { ok: false, mediaSeconds: 0 };
    bytes += got.bytes;
    seconds += got.seconds;
    this.abr.sample(got.bytes, got.seconds);
    this.abr.fetched();
    this.hooks.selected(t);
    const media = this.stream.live ? seg.duration : seg.start + seg.duration - this.videoTime;
    this.videoTime = this.stream.live ? this.videoTime + seg.duration : seg.start + seg.duration;
    if (this.stream.live) this.nextSeq = seg.sequence + 1;
    const audio = this.fetchAudio();
    if (audio === false) return { ok: false, mediaSeconds: 0 };
    seconds += audio;
    return { ok: true, mediaSeconds: media, downloadMs: seconds * 1000 };
  }

  /** Audio segments until the audio covers the video fetched so far; their download seconds, false on a failure. */
  private fetchAudio(): number | false {
    const a = this.stream.audio;
    if (!a) return 0;
    if (!this.ensureLoaded(a)) return false;
    let seconds = 0;
    for (let n = 0; this.audioTime + 1e-6 < this.videoTime && n < 100; n++) {
      let seg: Segment | null;
      if (this.stream.live) {
        const segs = a.segments ?? [];
        if (this.audioSeq < 0) this.audioSeq = segs.length > 0 ? segs[Math.max(0, segs.length - 3)].sequence : 0;
        const found = this.liveSegment(a, this.audioSeq);
        if (found === 'failed') return false;
        seg = found;
      } else {
        seg = (a.segments ?? []).find((s) => s.start + s.duration > this.audioTime + 1e-6) ?? null;
      }
      if (!seg) break;
      const init = this.fetchInit(a, seg);
      if (init) {
        if (!init.ok) return false;
        seconds += init.seconds;
      }
      const got = this.f.media(seg.url, seg.range, 'segment', a);
      if (!got.ok) return false;
      seconds += got.seconds;
      this.audioTime = this.stream.live ? this.audioTime + seg.duration : seg.start + seg.duration;
      if (this.stream.live) this.audioSeq = seg.sequence + 1;
    }
    return seconds;
  }

  seek(seconds: number): number {
    if (this.stream.live) return 0;
    const t = this.stream.tracks[Math.max(0, this.current)];
    const seg = (t.segments ?? []).find((s) => s.start + s.duration > seconds);
    this.videoTime = seg ? seg.start : seconds;
    this.audioTime = this.videoTime;
    // Nothing is kept beyond the buffer the player flushed.
    return 0;
  }
}
