// HLS and DASH as work kinds: for each video, the master playlist (or MPD) from
// --hls-template / --dash-template, then every rendition playlist, every init
// segment and every media segment it lists (--renditions picks the variants).
// Each step waits for the body of the one before (the engine hands it over, see
// WorkTarget.onBody); segments are read from a playlist one at a time, so memory
// holds a few playlists' text, never a library's segment lists.
import type { StoredObject } from '../../storage/types.js';
import type { ResultsRecord } from '../../common/results-record.js';
import { mediaSegments, parseMasterPlaylist, playlistKind, type HlsMedia, type HlsVariant } from '../../common/playlist/hls.js';
import { dashInitSegment, dashSegments, parseMpd, type DashRepresentation } from '../../common/playlist/dash.js';
import { resolveUri } from '../../common/playlist/uri.js';
import { streamingUrl } from '../../common/playlist/templates.js';
import type { WorkKind, WorkKindContext, WorkTarget } from './work-kinds.js';

export type StreamingProtocol = 'hls' | 'dash';

/** all | lowest | highest | N (the N highest by bandwidth). */
export type RenditionChoice = 'all' | 'lowest' | 'highest' | number;

export function parseRenditions(text: string): RenditionChoice {
  const t = text.trim().toLowerCase();
  if (t === 'all' || t === 'lowest' || t === 'highest') return t;
  if (/^\d+$/.test(t) && Number(t) >= 1) return Number(t);
  throw new Error(`--renditions: expected all, lowest, highest or a count of renditions (the N highest), got "${text}"`);
}

export interface StreamingKindOptions {
  protocol: StreamingProtocol;
  /** {base} {key} {stem}: the master playlist or MPD of a video. */
  template: string;
  renditions: RenditionChoice;
  /** Videos discovered at once (default 4). */
  lookahead?: number;
}

/** Picks from renditions sorted by bandwidth. */
export function pickRenditions<T>(items: readonly T[], bandwidth: (t: T) => number, choice: RenditionChoice): T[] {
  if (items.length === 0) return [];
  const sorted = [...items].sort((a, b) => bandwidth(a) - bandwidth(b));
  if (choice === 'all') return sorted;
  if (choice === 'lowest') return [sorted[0]];
  if (choice === 'highest') return [sorted[sorted.length - 1]];
  return sorted.slice(Math.max(0, sorted.length - choice));
}

/** A body that a later step waits for: the target to yield and the promise of its text. */
function discovery(target: Omit<WorkTarget, 'onBody'>, check: (text: string) => string | null): { target: WorkTarget; body: Promise<string | null> } {
  let settle!: (t: string | null) => void;
  const body = new Promise<string | null>((r) => (settle = r));
  return {
    target: {
      ...target,
      onBody(text: string | null, record: ResultsRecord | null): string | void {
        if (text === null) {
          settle(null);
          // A 2xx whose body was not kept: larger than the engine keeps.
          return record?.ok ? 'playlist larger than 16 MiB' : undefined;
        }
        const problem = check(text);
        settle(problem ? null : text);
        return problem ?? undefined;
      },
    },
    body,
  };
}

const kbps = (bps: number) => `${Math.round(bps / 1000)}k`;

/** Names unique within one video: `hls 640x360`, a suffix when two renditions would share one. */
function labeller(): (label: string) => string {
  const used = new Map<string, number>();
  return (label) => {
    const n = (used.get(label) ?? 0) + 1;
    used.set(label, n);
    return n === 1 ? label : `${label} (${n})`;
  };
}

function sizeOf(t: { width?: number; height?: number }): Pick<WorkTarget, 'width' | 'height'> {
  const out: Pick<WorkTarget, 'width' | 'height'> = {};
  if (t.width) out.width = t.width;
  if (t.height) out.height = t.height;
  return out;
}

function checkHls(text: string): string | null {
  if (text.replace(/^\uFEFF/, '').trimStart().startsWith('#EXTM3U')) return null;
  return `not an HLS playlist (the body starts "${text.slice(0, 40).replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?')}")`;
}

/** One media playlist's init and media segments, in order, each init once. */
function* hlsSegments(playlistUrl: string, text: string, rendition: string, size: Pick<WorkTarget, 'width' | 'height'>, seenInit: Set<string>): Generator<WorkTarget> {
  for (const s of mediaSegments(text)) {
    if (s.map) {
      const url = resolveUri(playlistUrl, s.map.uri);
      const id = s.map.byteRange ? `${url}\u0000${s.map.byteRange.offset}` : url;
      if (!seenInit.has(id)) {
        seenInit.add(id);
        const t: WorkTarget = { kind: 'init', name: `${rendition} init${seenInit.size > 1 ? ` ${seenInit.size}` : ''}`, url, rendition, ...size };
        if (s.map.byteRange) t.range = s.map.byteRange;
        yield t;
      }
    }
    // EXT-X-GAP: the segment does not exist and must not be asked for.
    if (s.gap) continue;
    const t: WorkTarget = { kind: 'segment', name: `${rendition} #${s.sequence}`, url: resolveUri(playlistUrl, s.uri), rendition, sequence: s.sequence, ...size };
    if (s.byteRange) t.range = s.byteRange;
    yield t;
  }
}

async function* hlsTargets(masterUrl: string, choice: RenditionChoice): AsyncGenerator<WorkTarget> {
  const master = discovery({ kind: 'master', name: 'hls master', url: masterUrl }, checkHls);
  yield master.target;
  const text = await master.body;
  if (text === null) return;
  const label = labeller();
  const seenInit = new Set<string>();
  if (playlistKind(text) === 'media') {
    // The template named a media playlist: it is the one rendition.
    yield* hlsSegments(masterUrl, text, label('hls'), {}, seenInit);
    return;
  }
  const m = parseMasterPlaylist(text);
  const variants = pickRenditions(m.variants, (v) => v.bandwidth, choice);
  // The alternative renditions (audio, video angles, subtitles) the chosen variants play with.
  const groups = new Set(variants.flatMap((v) => [v.audio, v.video, v.subtitles].filter((g): g is string => Boolean(g))));
  const media = m.media.filter((r): r is HlsMedia & { uri: string } => Boolean(r.uri) && groups.has(r.groupId));
  type Playlist = { url: string; rendition: string; size: Pick<WorkTarget, 'width' | 'height'>; body: Promise<string | null> };
  const playlists: Playlist[] = [];
  const seen = new Set<string>();
  const add = (uri: string, rendition: string, size: Pick<WorkTarget, 'width' | 'height'>): WorkTarget | null => {
    const url = resolveUri(masterUrl, uri);
    if (seen.has(url)) return null;
    seen.add(url);
    const d = discovery({ kind: 'playlist', name: `${rendition} playlist`, url, rendition, ...size }, checkHls);
    playlists.push({ url, rendition, size, body: d.body });
    return d.target;
  };
  // By resolution (bitrates differ from video to video; resolutions repeat across a library, so the statistics stay a few rows).
  const variantLabel = (v: HlsVariant) => label(v.width && v.height ? `hls ${v.width}x${v.height}` : `hls ${kbps(v.bandwidth)}`);
  // Every playlist is asked for at once; their segments follow in order as each body arrives.
  for (const v of variants) {
    const t = add(v.uri, variantLabel(v), sizeOf(v));
    if (t) yield t;
  }
  for (const r of media) {
    const type = r.type.toLowerCase();
    const name = r.name || r.groupId;
    const t = add(r.uri, label(name && name.toLowerCase() !== type ? `hls ${type} ${name}` : `hls ${type}`), {});
    if (t) yield t;
  }
  for (const p of playlists) {
    const body = await p.body;
    if (body !== null) yield* hlsSegments(p.url, body, p.rendition, p.size, seenInit);
  }
}

function checkMpd(mpdUrl: string): (text: string) => string | null {
  return (text) => {
    try {
      parseMpd(text, mpdUrl);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

function* dashTargets(mpdUrl: string, text: string, choice: RenditionChoice): Generator<WorkTarget> {
  const mpd = parseMpd(text, mpdUrl);
  const video = mpd.representations.filter((r) => r.contentType === 'video');
  const chosen = new Set<DashRepresentation>([...pickRenditions(video, (r) => r.bandwidth, choice), ...mpd.representations.filter((r) => r.contentType !== 'video')]);
  const label = labeller();
  const seenInit = new Set<string>();
  const periods = new Set(mpd.representations.map((r) => r.period.id)).size;
  for (const r of mpd.representations) {
    if (!chosen.has(r)) continue;
    const what = r.contentType === 'video' && r.width && r.height ? `${r.width}x${r.height}` : r.contentType || 'media';
    const rendition = label(`dash ${what}${periods > 1 ? ` p${r.period.id}` : ''}`);
    const size = r.contentType === 'video' ? sizeOf(r) : {};
    const init = dashInitSegment(r);
    if (init) {
      const id = init.byteRange ? `${init.url}\u0000${init.byteRange.offset}` : init.url;
      if (!seenInit.has(id)) {
        seenInit.add(id);
        const t: WorkTarget = { kind: 'init', name: `${rendition} init`, url: init.url, rendition, ...size };
        if (init.byteRange) t.range = init.byteRange;
        yield t;
      }
    }
    for (const s of dashSegments(r, mpd)) {
      const t: WorkTarget = { kind: 'segment', name: `${rendition} #${s.number}`, url: s.url, rendition, sequence: s.number, ...size };
      if (s.byteRange) t.range = s.byteRange;
      yield t;
    }
  }
}

async function* dashEntry(mpdUrl: string, choice: RenditionChoice): AsyncGenerator<WorkTarget> {
  const mpd = discovery({ kind: 'master', name: 'dash mpd', url: mpdUrl }, checkMpd(mpdUrl));
  yield mpd.target;
  const text = await mpd.body;
  if (text !== null) yield* dashTargets(mpdUrl, text, choice);
}

/** The HLS or DASH work kind for `prewarm --hls-template / --dash-template`. */
export function streamingKind(o: StreamingKindOptions): WorkKind {
  return {
    kind: o.protocol,
    lookahead: o.lookahead ?? 4,
    targets(obj: StoredObject, ctx: WorkKindContext): AsyncIterable<WorkTarget> | Iterable<WorkTarget> {
      if (ctx.mediaTypeOf(obj) !== 'video') return [];
      const url = streamingUrl(o.template, ctx.baseUrl, obj.key);
      return o.protocol === 'hls' ? hlsTargets(url, o.renditions) : dashEntry(url, o.renditions);
    },
  };
}
