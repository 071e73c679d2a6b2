// One HLS or DASH viewer in k6 (MODE=hls, MODE=dash): the master playlist or
// MPD, the starting rendition from the throughput estimate, its playlist and
// init segment, then segments at real-time pace through the player's buffer
// model (startup, stalls, rebuffer ratio, download ratio, abandonment), the
// rendition switched by the ABR rule (abr.ts). Every request is checked and
// measured like the others (status, cache hit, range); samples carry the VU's
// tags: derivative = hls or dash, size category, and the rendition.
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import type { LoadtestConfig } from '../config.js';
import { exponential, type Rng } from '../random.js';
import type { RequestTarget } from '../target.js';
import type { RequestContext } from '../request.js';
import { recordResponse } from '../metrics.js';
import { verifyResponse } from '../response-check.js';
import { tagVu } from '../vu-tags.js';
import { Playback, playSession, type SessionReport } from '../player/playback.js';
import { countSession, type VideoMetrics } from '../player/video-metrics.js';
import { K6_CLOCK } from '../player/session.js';
import type { ByteRange } from '../../../common/playlist/hls.js';
import { openStream, StreamSource, type Fetched, type StreamFetcher, type StreamProtocol, type Track } from './stream-source.js';
import { SWITCH_TAGS, type StreamMetrics } from './stream-metrics.js';

export const TAG_RENDITION = 'rendition';

export const CHECK_MANIFEST = 'stream: playlist or MPD 200';
export const CHECK_MEDIA = 'stream: segment 200 (206 with the Content-Range asked)';

type Callback = ReturnType<typeof http.expectedStatuses>;
let ok200: Callback | undefined;
let ok206: Callback | undefined;

/** Call in init context (http.expectedStatuses allocates). */
export function setUpStreamRequests(): void {
  ok200 = http.expectedStatuses(200);
  ok206 = http.expectedStatuses(206);
}

const runCheck = check;
type Verdicts = Parameters<typeof check>[1];
const PASS_MANIFEST = { [CHECK_MANIFEST]: true };
const FAIL_MANIFEST = { [CHECK_MANIFEST]: false };
const PASS_MEDIA = { [CHECK_MEDIA]: true };
const FAIL_MEDIA = { [CHECK_MEDIA]: false };

type Tags = Record<string, number | string | boolean>;
let vuTags: Tags | undefined;

function tagRendition(label: string): void {
  const tags = vuTags ?? (vuTags = exec.vu.metrics.tags);
  tags[TAG_RENDITION] = label;
}

/** k6 requests for the stream source: playlists as text, segments counted and discarded. */
function k6Fetcher(protocol: StreamProtocol, rec: RequestTarget, ctx: RequestContext): StreamFetcher {
  if (!ok200 || !ok206) throw new Error('call setUpStreamRequests() in init context first');
  // Request names group every URL of a kind into one series (never a tag per segment URL).
  const manifestParams = { tags: { name: `${protocol} ${protocol === 'hls' ? 'playlist' : 'mpd'}` }, responseType: 'text' as const, responseCallback: ok200, timeout: ctx.timeoutMs };
  const masterParams = { ...manifestParams, tags: { name: `${protocol} ${protocol === 'hls' ? 'master' : 'mpd'}` } };
  const segmentParams = { tags: { name: `${protocol} segment` }, responseType: 'none' as const, responseCallback: ok200, timeout: ctx.timeoutMs };
  const initParams = { ...segmentParams, tags: { name: `${protocol} init` } };
  const rangedSegment = { ...segmentParams, headers: { Range: '' }, responseCallback: ok206 };
  const rangedInit = { ...initParams, headers: { Range: '' }, responseCallback: ok206 };
  return {
    manifest(url, what): Fetched {
      tagVu(rec.derivative, rec.sizeCategory);
      tagRendition('manifest');
      const res = http.get(url, what === 'master' ? masterParams : manifestParams);
      const body = typeof res.body === 'string' ? res.body : '';
      const ok = res.status === 200 && (protocol === 'hls' ? body.trimStart().startsWith('#EXTM3U') : body.includes('<MPD'));
      runCheck(null, (ok ? PASS_MANIFEST : FAIL_MANIFEST) as unknown as Verdicts);
      recordResponse(ctx.metrics, res.status, res.headers, null);
      return { ok, bytes: body.length, seconds: res.timings.duration / 1000, text: body };
    },
    media(url, range: ByteRange | undefined, what, track: Track): Fetched {
      tagVu(rec.derivative, rec.sizeCategory);
      tagRendition(track.label);
      let params;
      if (range) {
        params = what === 'init' ? rangedInit : rangedSegment;
        params.headers.Range = `bytes=${range.offset}-${range.offset + range.length - 1}`;
      } else params = what === 'init' ? initParams : segmentParams;
      const res = http.get(url, params);
      const status = res.status;
      const headers = res.headers;
      let ok: boolean;
      let rangeOk: boolean | null = null;
      if (range) {
        rangeOk = verifyResponse({ start: range.offset, end: range.offset + range.length - 1 }, 0, { status, contentRange: headers['Content-Range'], contentLength: headers['Content-Length'] }).rangeOk === true;
        ok = rangeOk;
      } else ok = status === 200;
      runCheck(null, (ok ? PASS_MEDIA : FAIL_MEDIA) as unknown as Verdicts);
      recordResponse(ctx.metrics, status, headers, rangeOk);
      return { ok, bytes: Number(headers['Content-Length'] ?? 0) || 0, seconds: res.timings.duration / 1000 };
    },
  };
}

/** One viewer session on a stream (rec.url is its master playlist or MPD). */
export function playStream(protocol: StreamProtocol, rec: RequestTarget, cfg: LoadtestConfig, ctx: RequestContext, rng: Rng, vm: VideoMetrics, sm: StreamMetrics, report: SessionReport): void {
  const fetcher = k6Fetcher(protocol, rec, ctx);
  const startedAt = Date.now();
  const stream = openStream(protocol, rec.url, fetcher, startedAt);
  // A failed master is a failed request (http_req_failed): the viewer saw an error, not a stall.
  if (!stream.ok) return;
  let pb: Playback | undefined;
  const source = new StreamSource(
    stream,
    fetcher,
    K6_CLOCK,
    { abr: cfg.stream.abr, fixed: cfg.stream.fixed, buffer: () => (pb ? pb.buffer : 0) },
    {
      switched(from, to) {
        tagRendition(to.label);
        sm.switches.add(1, to.bandwidth < from.bandwidth ? SWITCH_TAGS.down : SWITCH_TAGS.up);
      },
      selected(track) {
        sm.selected.add(track.bandwidth + (stream.audio?.bandwidth ?? 0));
      },
    },
  );
  if (!source.prepare()) return;
  // Where the duration came from: the HLS playlist, the MPD, or none (live).
  countSession(vm, stream.live ? 'live' : protocol === 'hls' ? 'playlist' : 'mpd');
  // A live stream plays in real time (its edge moves in real time) and has no end to seek in.
  const settings = stream.live ? { ...cfg.player, timeScale: 1, seekProbability: 0 } : cfg.player;
  const duration = source.duration();
  const watch = Math.min(duration, exponential(rng, cfg.player.meanSessionSeconds));
  pb = new Playback(settings, duration, watch, startedAt, report);
  playSession(pb, source, K6_CLOCK, rng, report);
}
