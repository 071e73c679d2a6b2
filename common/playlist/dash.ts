// DASH MPDs (ISO/IEC 23009-1; DASH-IF IOP): representations with their BaseURL
// chain resolved, and their init and media segments handed out one at a time
// from SegmentTemplate ($Number$, $Time$, SegmentTimeline, @duration),
// SegmentList or SegmentBase, so a long SegmentTimeline never becomes an array.
import { resolveUri, type ResolveOptions } from './uri.js';
import { childNamed, childrenNamed, parseXml, type XmlElement } from './xml.js';
import type { ByteRange } from './hls.js';

export class MpdError extends Error {}

export interface DashPeriod {
  id: string;
  /** Seconds from the presentation start. */
  start: number;
  /** Seconds, when known (Period@duration, or up to the next period or the presentation end). */
  duration?: number;
}

interface TemplateInfo {
  timescale: number;
  startNumber: number;
  presentationTimeOffset: number;
  duration?: number;
  media?: string;
  initialization?: string;
  timeline?: XmlElement;
}

export type DashAddressing =
  | ({ kind: 'template' } & TemplateInfo)
  | { kind: 'list'; timescale: number; duration?: number; startNumber: number; initialization?: { url: string; byteRange?: ByteRange }; segments: XmlElement[] }
  | { kind: 'base'; initialization?: ByteRange; indexRange?: ByteRange }
  | { kind: 'none' };

export interface DashRepresentation {
  id: string;
  period: DashPeriod;
  adaptationSetId?: string;
  /** video, audio, text, image (from @contentType, else the mime type). */
  contentType: string;
  mimeType?: string;
  codecs?: string;
  /** Bits per second (@bandwidth). */
  bandwidth: number;
  width?: number;
  height?: number;
  frameRate?: number;
  /** The BaseURL chain resolved against the MPD URL. */
  baseUrl: string;
  addressing: DashAddressing;
}

export interface DashManifest {
  type: 'static' | 'dynamic';
  /** mediaPresentationDuration, seconds. */
  duration?: number;
  minBufferTime?: number;
  minimumUpdatePeriod?: number;
  timeShiftBufferDepth?: number;
  /** availabilityStartTime as ms since the epoch (dynamic MPDs). */
  availabilityStartTime?: number;
  periods: DashPeriod[];
  representations: DashRepresentation[];
}

export interface DashSegment {
  url: string;
  byteRange?: ByteRange;
  /** $Number$ of the segment. */
  number: number;
  /** Start in timescale units ($Time$). */
  time: number;
  /** Seconds. */
  duration: number;
}

/** xs:duration (PnYnMnDTnHnMnS) in seconds; years and months as 365 and 30 days. */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^\s*(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?\s*$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(2).map((v) => (v ? Number(v) : 0));
  const total = ((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s;
  return m[1] ? -total : total;
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function frameRate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [a, b] = text.split('/');
  const n = Number(a) / (b ? Number(b) : 1);
  return Number.isFinite(n) ? n : undefined;
}

/** "a-b" (inclusive) as offset and length. */
function range(text: string | undefined): ByteRange | undefined {
  const m = text ? /^\s*(\d+)-(\d+)\s*$/.exec(text) : null;
  if (!m) return undefined;
  return { offset: Number(m[1]), length: Number(m[2]) - Number(m[1]) + 1 };
}

function baseOf(el: XmlElement, parent: string, opts: ResolveOptions): string {
  const b = childNamed(el, 'BaseURL');
  return b && b.text ? resolveUri(parent, b.text, opts) : parent;
}

/** SegmentTemplate attributes inherited Period -> AdaptationSet -> Representation. */
function mergeTemplate(into: Partial<TemplateInfo> | undefined, el: XmlElement | undefined): Partial<TemplateInfo> | undefined {
  if (!el) return into;
  const t: Partial<TemplateInfo> = { ...(into ?? {}) };
  const a = el.attrs;
  if (a.timescale) t.timescale = num(a.timescale);
  if (a.startNumber) t.startNumber = num(a.startNumber);
  if (a.presentationTimeOffset) t.presentationTimeOffset = num(a.presentationTimeOffset);
  if (a.duration) t.duration = num(a.duration);
  if (a.media) t.media = a.media;
  if (a.initialization) t.initialization = a.initialization;
  const tl = childNamed(el, 'SegmentTimeline');
  if (tl) t.timeline = tl;
  return t;
}

function contentTypeOf(explicit: string | undefined, mime: string | undefined): string {
  if (explicit) return explicit;
  if (!mime) return '';
  const major = mime.split('/')[0];
  return major === 'application' ? 'text' : major;
}

/** Parses an MPD fetched from mpdUrl (relative BaseURLs and templates resolve against it). */
export function parseMpd(text: string, mpdUrl: string, opts: ResolveOptions = {}): DashManifest {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    throw new MpdError(`not a DASH MPD (${(err as Error).message})`);
  }
  if (root.name !== 'MPD') throw new MpdError(`not a DASH MPD (root element <${root.name}>)`);
  const a = root.attrs;
  const manifest: DashManifest = {
    type: a.type === 'dynamic' ? 'dynamic' : 'static',
    periods: [],
    representations: [],
  };
  const dur = parseDuration(a.mediaPresentationDuration);
  if (dur !== undefined) manifest.duration = dur;
  const mbt = parseDuration(a.minBufferTime);
  if (mbt !== undefined) manifest.minBufferTime = mbt;
  const mup = parseDuration(a.minimumUpdatePeriod);
  if (mup !== undefined) manifest.minimumUpdatePeriod = mup;
  const tsb = parseDuration(a.timeShiftBufferDepth);
  if (tsb !== undefined) manifest.timeShiftBufferDepth = tsb;
  if (a.availabilityStartTime) {
    const t = Date.parse(a.availabilityStartTime);
    if (Number.isFinite(t)) manifest.availabilityStartTime = t;
  }
  const mpdBase = baseOf(root, mpdUrl, opts);
  const periods = childrenNamed(root, 'Period');
  let previousEnd = 0;
  periods.forEach((p, i) => {
    const start = parseDuration(p.attrs.start) ?? previousEnd;
    const period: DashPeriod = { id: p.attrs.id ?? String(i), start };
    const own = parseDuration(p.attrs.duration);
    const nextStart = i + 1 < periods.length ? parseDuration(periods[i + 1].attrs.start) : manifest.duration;
    if (own !== undefined) period.duration = own;
    else if (nextStart !== undefined) period.duration = nextStart - start;
    previousEnd = period.duration !== undefined ? start + period.duration : start;
    manifest.periods.push(period);
    const periodBase = baseOf(p, mpdBase, opts);
    const periodTemplate = mergeTemplate(undefined, childNamed(p, 'SegmentTemplate'));
    for (const as of childrenNamed(p, 'AdaptationSet')) {
      const asBase = baseOf(as, periodBase, opts);
      const asTemplate = mergeTemplate(periodTemplate, childNamed(as, 'SegmentTemplate'));
      const asList = childNamed(as, 'SegmentList');
      const asSegBase = childNamed(as, 'SegmentBase');
      for (const r of childrenNamed(as, 'Representation')) {
        const ra = r.attrs;
        const mime = ra.mimeType ?? as.attrs.mimeType;
        const rep: DashRepresentation = {
          id: ra.id ?? '',
          period,
          contentType: contentTypeOf(as.attrs.contentType, mime),
          bandwidth: num(ra.bandwidth) ?? 0,
          baseUrl: baseOf(r, asBase, opts),
          addressing: { kind: 'none' },
        };
        if (as.attrs.id) rep.adaptationSetId = as.attrs.id;
        if (mime) rep.mimeType = mime;
        const codecs = ra.codecs ?? as.attrs.codecs;
        if (codecs) rep.codecs = codecs;
        const w = num(ra.width ?? as.attrs.width);
        const h = num(ra.height ?? as.attrs.height);
        if (w !== undefined) rep.width = w;
        if (h !== undefined) rep.height = h;
        const fr = frameRate(ra.frameRate ?? as.attrs.frameRate);
        if (fr !== undefined) rep.frameRate = fr;
        rep.addressing = addressingOf(rep, mergeTemplate(asTemplate, childNamed(r, 'SegmentTemplate')), childNamed(r, 'SegmentList') ?? asList, childNamed(r, 'SegmentBase') ?? asSegBase, opts);
        manifest.representations.push(rep);
      }
    }
  });
  return manifest;
}

function addressingOf(rep: DashRepresentation, t: Partial<TemplateInfo> | undefined, list: XmlElement | undefined, base: XmlElement | undefined, opts: ResolveOptions): DashAddressing {
  if (t && (t.media || t.initialization)) {
    return { kind: 'template', timescale: t.timescale ?? 1, startNumber: t.startNumber ?? 1, presentationTimeOffset: t.presentationTimeOffset ?? 0, duration: t.duration, media: t.media, initialization: t.initialization, timeline: t.timeline };
  }
  if (list) {
    const init = childNamed(list, 'Initialization');
    const out: DashAddressing = { kind: 'list', timescale: num(list.attrs.timescale) ?? 1, duration: num(list.attrs.duration), startNumber: num(list.attrs.startNumber) ?? 1, segments: childrenNamed(list, 'SegmentURL') };
    if (init) out.initialization = { url: init.attrs.sourceURL ? resolveUri(rep.baseUrl, init.attrs.sourceURL, opts) : rep.baseUrl, byteRange: range(init.attrs.range) };
    return out;
  }
  if (base) {
    const init = childNamed(base, 'Initialization');
    return { kind: 'base', initialization: range(init?.attrs.range), indexRange: range(base.attrs.indexRange) };
  }
  return { kind: 'none' };
}

/** Fills $RepresentationID$, $Number$, $Time$, $Bandwidth$ (with %0Nd widths) and $$. */
export function fillDashTemplate(template: string, v: { representationId: string; number?: number; time?: number; bandwidth?: number }): string {
  return template.replace(/\$(RepresentationID|Number|Time|Bandwidth|)(?:%0(\d+)d)?\$/g, (whole, name: string, width: string | undefined) => {
    if (name === '') return '$';
    let value: string;
    if (name === 'RepresentationID') return v.representationId;
    else if (name === 'Number') value = v.number === undefined ? whole : String(v.number);
    else if (name === 'Time') value = v.time === undefined ? whole : String(v.time);
    else value = v.bandwidth === undefined ? whole : String(v.bandwidth);
    return width ? value.padStart(Number(width), '0') : value;
  });
}

/** The initialization segment of a representation, if it has one. */
export function dashInitSegment(rep: DashRepresentation, opts: ResolveOptions = {}): { url: string; byteRange?: ByteRange } | undefined {
  const a = rep.addressing;
  if (a.kind === 'template') {
    if (!a.initialization) return undefined;
    return { url: resolveUri(rep.baseUrl, fillDashTemplate(a.initialization, { representationId: rep.id, bandwidth: rep.bandwidth }), opts) };
  }
  if (a.kind === 'list') return a.initialization;
  if (a.kind === 'base' && a.initialization) return { url: rep.baseUrl, byteRange: a.initialization };
  return undefined;
}

export interface SegmentWindow {
  /** Wall clock, ms since the epoch, for dynamic MPDs (default Date.now()). */
  now?: number;
}

/** The segments of one representation, in order, one at a time. */
export function* dashSegments(rep: DashRepresentation, manifest: DashManifest, opts: SegmentWindow & ResolveOptions = {}): Generator<DashSegment> {
  const a = rep.addressing;
  const resolve = (ref: string) => resolveUri(rep.baseUrl, ref, opts);
  const periodEnd = rep.period.duration;
  if (a.kind === 'template') {
    if (!a.media) return;
    const media = a.media;
    const make = (number: number, time: number, d: number): DashSegment => ({
      url: resolve(fillDashTemplate(media, { representationId: rep.id, number, time, bandwidth: rep.bandwidth })),
      number,
      time,
      duration: d / a.timescale,
    });
    if (a.timeline) {
      let number = a.startNumber;
      let time = 0;
      const ss = childrenNamed(a.timeline, 'S');
      const limit = periodEnd !== undefined ? a.presentationTimeOffset + periodEnd * a.timescale : Infinity;
      for (let i = 0; i < ss.length; i++) {
        const s = ss[i].attrs;
        if (s.t !== undefined) time = num(s.t) ?? time;
        const d = num(s.d);
        if (!d || d <= 0) throw new MpdError(`representation ${rep.id}: SegmentTimeline S without a positive @d`);
        let r = num(s.r) ?? 0;
        if (r < 0) {
          // Repeat until the next S@t, or the period end, or (live) what is available now.
          const nextT = i + 1 < ss.length ? num(ss[i + 1].attrs.t) : undefined;
          let end = nextT ?? limit;
          if (manifest.type === 'dynamic' && manifest.availabilityStartTime !== undefined) {
            const nowSec = ((opts.now ?? Date.now()) - manifest.availabilityStartTime) / 1000 - rep.period.start;
            end = Math.min(end, a.presentationTimeOffset + nowSec * a.timescale);
          }
          r = Number.isFinite(end) ? Math.max(0, Math.ceil((end - time) / d) - 1) : 0;
        }
        for (let k = 0; k <= r; k++) {
          yield make(number++, time, d);
          time += d;
        }
      }
      return;
    }
    if (!a.duration) {
      // Only an initialization (or a single $Number$-less media URL).
      if (!media.includes('$Number') && !media.includes('$Time')) yield make(a.startNumber, 0, 0);
      return;
    }
    const d = a.duration;
    let first = 0;
    let count: number;
    if (manifest.type === 'dynamic' && manifest.availabilityStartTime !== undefined) {
      const elapsed = ((opts.now ?? Date.now()) - manifest.availabilityStartTime) / 1000 - rep.period.start;
      // Segment k is available once its end has passed.
      const available = Math.max(0, Math.floor((elapsed * a.timescale) / d));
      const depth = manifest.timeShiftBufferDepth;
      first = depth !== undefined ? Math.max(0, available - Math.ceil((depth * a.timescale) / d)) : 0;
      count = periodEnd !== undefined ? Math.min(available, Math.ceil((periodEnd * a.timescale) / d)) : available;
    } else {
      if (periodEnd === undefined) throw new MpdError(`representation ${rep.id}: SegmentTemplate@duration without a known period or presentation duration`);
      count = Math.ceil((periodEnd * a.timescale) / d - 1e-9);
    }
    for (let k = first; k < count; k++) yield make(a.startNumber + k, a.presentationTimeOffset + k * d, d);
    return;
  }
  if (a.kind === 'list') {
    let k = 0;
    for (const s of a.segments) {
      const url = s.attrs.media ? resolve(s.attrs.media) : rep.baseUrl;
      const seg: DashSegment = { url, number: a.startNumber + k, time: (a.duration ?? 0) * k, duration: (a.duration ?? 0) / a.timescale };
      const br = range(s.attrs.mediaRange);
      if (br) seg.byteRange = br;
      yield seg;
      k++;
    }
    return;
  }
  if (a.kind === 'base' || a.kind === 'none') {
    // The whole resource is the one media segment.
    yield { url: rep.baseUrl, number: 1, time: 0, duration: periodEnd ?? manifest.duration ?? 0 };
  }
}
