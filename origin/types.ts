// The local media-transforming CDN: contract used by the demo, tests and benchmarks.
import type { RequestLogEntry } from './server.js';

export interface OriginFaults {
  /** Added latency per request, ms. */
  latencyMs?: number;
  /** Fraction 0..1 of requests answered with an error status. */
  errorRate?: number;
  /** Statuses to pick from for injected errors (default [500, 502, 503]); 503 carries Retry-After. */
  errorStatuses?: number[];
  /** Retry-After seconds sent with 503 (default 1). */
  retryAfterSeconds?: number;
  /** Fraction 0..1 of requests whose connection is reset mid-response. */
  resetRate?: number;
  /** Answer 200 with the whole body even when a Range header is sent. */
  ignoreRange?: boolean;
  /** Body bytes per second, per connection (--bandwidth); unset or 0: unlimited. */
  bandwidthBytesPerSecond?: number;
  /** 0..1: each connection's rate varies within +-this fraction, redrawn every second (--bandwidth-jitter). */
  bandwidthJitter?: number;
}

/** Sources from an S3-compatible bucket instead of a local folder. */
export interface OriginS3Remote {
  type: 's3';
  bucket: string;
  /** Folder inside the bucket that is served (default: the whole bucket). */
  prefix?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  /** Path-style addressing (default: true when an endpoint is given). */
  forcePathStyle?: boolean;
}

export interface OriginOptions {
  /** Folder served as the bucket. Required unless `remote` is set. */
  root?: string;
  /** Serve sources from a bucket (credentials from the standard AWS chain). */
  remote?: OriginS3Remote;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Path prefix of the served base URL, e.g. '/videos' (default ''). */
  basePath?: string;
  /**
   * 'synthetic': derivative bodies are deterministic bytes, size proportional to width (fast).
   * 'ffmpeg': derivatives are the source scaled by ffmpeg, cached on disk.
   */
  mode?: 'synthetic' | 'ffmpeg';
  /** Bytes per pixel of width for synthetic derivatives (default 1024: 1920 wide -> 1.9 MiB). */
  syntheticBytesPerWidth?: number;
  /** Folder for ffmpeg-rendered derivatives (default: a temp folder). */
  cacheDir?: string;
  /**
   * Every key exists: the folder is never read, sources are synthetic bodies as
   * wide as the desktop derivative (1920 x syntheticBytesPerWidth). For benchmarks
   * with millions of keys that do not exist on disk. Synthetic mode only.
   */
  virtual?: boolean;
  faults?: OriginFaults;
  /** HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with a self-signed certificate made at start-up. */
  tls?: boolean;
  /** Seed for fault randomness, so test runs are repeatable. */
  seed?: number;
  /**
   * HLS and DASH renditions of every video under <key>/hls/, <key>/cmaf/ and <key>/dash/
   * (packaged by ffmpeg on first request, kept in cacheDir; see origin/streaming/).
   */
  streaming?: OriginStreamingOptions;
  /** Called once per finished request: the request log (`origin --request-log FILE` writes it as JSON Lines). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface OriginStreamingOptions {
  /** Segment length in seconds (default 2). */
  segmentSeconds?: number;
  /** The HLS media playlists become sliding live windows that advance in real time. */
  live?: boolean;
  /** Segments in a live playlist (default 6). */
  liveWindow?: number;
}

export interface RunningOrigin {
  /** Base URL, e.g. http://127.0.0.1:41234 (plus basePath). */
  url: string;
  port: number;
  /** With tls: the PEM file of the self-signed certificate (a client's --ca-file); removed on close. */
  certificateFile?: string;
  /** Counters for assertions: requests seen, by cache status, faults injected, ffmpeg renders run. */
  stats(): { requests: number; hits: number; misses: number; errorsInjected: number; resets: number; renders: number; connections: number; http2Sessions: number; packages: number };
  /** Replaces all fault knobs while running (`setFaults({})` turns every fault off). */
  setFaults(f: OriginFaults): void;
  /**
   * Settles with the error when the server fails after it started listening (an `error`
   * event: accept failing with ENFILE, ENOMEM...); the server may no longer serve. Never rejects.
   */
  failed: Promise<Error>;
  close(): Promise<void>;
}
