// One HTTP call of a purge API (or a PURGE/BAN to a cache), through undici, with the
// answer read whole (purge answers are small) and classified the same way for every
// provider: 429 and 5xx are worth retrying, with the server's Retry-After.
import type { Dispatcher } from 'undici';
import { parseRetryAfter } from '../prewarm/backoff.js';
import { oneLine } from '../../lib/errors.js';
import { redactText } from '../../common/redact.js';
import type { CallOutcome } from './provider.js';

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;
export const loadUndici = (): Promise<Undici> => (undici ??= import('undici'));

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** A connection to use instead of the URL's own host (an --edge). */
  dispatcher?: Dispatcher;
}

/** Answers larger than this are cut: a purge API never sends more, a cache's error page may. */
const MAX_ANSWER = 256 * 1024;

export async function httpCall(c: HttpCall): Promise<HttpAnswer> {
  const { request } = await loadUndici();
  const res = await request(c.url, { method: c.method as Dispatcher.HttpMethod, headers: c.headers, body: c.body, signal: c.signal, dispatcher: c.dispatcher });
  let text = '';
  for await (const chunk of res.body) {
    if (text.length < MAX_ANSWER) text += chunk.toString();
  }
  return { status: res.statusCode, headers: res.headers, text };
}

export function header(h: HttpAnswer['headers'], name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The failure outcome for a non-2xx answer: 429 and 5xx are retried (after Retry-After when given). */
export function failedAnswer(a: HttpAnswer, message: string, defaultRetryAfterMs?: number): CallOutcome {
  const throttled = a.status === 429;
  const retryable = throttled || a.status >= 500 || a.status === 408;
  const retryAfter = parseRetryAfter(header(a.headers, 'retry-after'));
  return { ok: false, retryable, throttled, status: a.status, retryAfterMs: retryAfter ?? (retryable ? defaultRetryAfterMs ?? null : null), message: redactText(`HTTP ${a.status}: ${message}`) };
}

/** A call that got no answer (refused, reset, timed out): retried. */
export function networkFailure(err: unknown, signal: AbortSignal): CallOutcome {
  const reason = signal.aborted && signal.reason instanceof Error ? signal.reason.message : oneLine(err);
  const code = (err as { code?: string }).code;
  return { ok: false, retryable: true, message: redactText(code && !reason.includes(code) ? `${code}: ${reason}` : reason) };
}

/** The JSON of an answer, or undefined. */
export function jsonOf(a: HttpAnswer): unknown {
  try {
    return JSON.parse(a.text);
  } catch {
    return undefined;
  }
}

/** A short piece of an answer body for a message. */
export function snippet(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}
