// URL building for derivatives and variants. The pre-warmer, verify, purge and the
// k6 scenarios all call this, so a URL warmed is exactly the URL load-tested.
// No `URL` global: k6 has none.
//
// The base URL keeps its path; its query (a CDN token, `?token=abc`) is merged into
// every URL built from it, ahead of the derivative's own parameters; its fragment
// is dropped (never sent to a server).
import type { Derivative } from './derivatives.js';

export type UrlFormat = 'imwidth' | 'derivative' | 'query';
export const URL_FORMATS: readonly UrlFormat[] = ['imwidth', 'derivative', 'query'];

/** A base URL cut into what keys are joined to and the query every URL carries. */
export interface BaseUrlParts {
  /** Scheme, host and path without trailing slashes: `https://cdn.example.com/media`. */
  prefix: string;
  /** The base URL's own query without `?` (`token=abc`), or ''. */
  query: string;
}

// Memoised: a run builds millions of URLs from one base.
let lastBase = '';
let lastParts: BaseUrlParts = { prefix: '', query: '' };

export function splitBaseUrl(baseUrl: string): BaseUrlParts {
  if (baseUrl === lastBase) return lastParts;
  const hash = baseUrl.indexOf('#');
  const noFragment = hash < 0 ? baseUrl : baseUrl.slice(0, hash);
  const q = noFragment.indexOf('?');
  const path = q < 0 ? noFragment : noFragment.slice(0, q);
  const query = q < 0 ? '' : noFragment.slice(q + 1).replace(/^&+|&+$/g, '');
  lastBase = baseUrl;
  lastParts = { prefix: path.replace(/\/+$/, ''), query };
  return lastParts;
}

const encodeSegment = (segment: string) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// Characters encodeSegment leaves as they are, and the segment separator.
const PLAIN_KEY = /^[A-Za-z0-9\-._~/]*$/;

/**
 * A key as the path after the base, percent-encoded segment by segment so spaces,
 * unicode, + # % ? all reach the right object. Empty segments are kept: `/a.mp4`
 * and `dir//b.mp4` are legal S3 keys of their own.
 */
export function encodeKey(key: string): string {
  // Most keys need no encoding at all: one test instead of a split, an encode per segment and a join.
  if (PLAIN_KEY.test(key)) return key;
  return key.split('/').map(encodeSegment).join('/');
}

/** Base URL without its query and trailing slashes, so joining never doubles or drops one. */
export function trimBase(baseUrl: string): string {
  return splitBaseUrl(baseUrl).prefix;
}

/** Joins the base's query (first) and a derivative's parameters into one query string. */
function joinQuery(baseQuery: string, own: string): string {
  if (!baseQuery) return own;
  if (!own) return baseQuery;
  // A derivative parameter of the same name as a base parameter wins.
  const names = new Set(own.split('&').map((p) => p.split('=')[0]));
  const kept = baseQuery.split('&').filter((p) => p && !names.has(p.split('=')[0]));
  return kept.length ? `${kept.join('&')}&${own}` : own;
}

/** `<prefix><path>?<base query>&<own query>`: the one place every URL form is assembled. */
export function assembleUrl(baseUrl: string, path: string, ownQuery = ''): string {
  const { prefix, query } = splitBaseUrl(baseUrl);
  const q = joinQuery(query, ownQuery);
  return q ? `${prefix}${path}?${q}` : `${prefix}${path}`;
}

/** `<base>/<encoded key>` (plus the base's query). */
export function objectUrl(baseUrl: string, key: string): string {
  return assembleUrl(baseUrl, `/${encodeKey(key)}`);
}

export interface DerivativeUrlOptions {
  format?: UrlFormat;
  /** Overrides format: placeholders {base} {key} {derivative} {width} {height} {params}. */
  template?: string;
}

/** What a template placeholder can name. */
export interface TemplateTarget {
  name: string;
  width?: number;
  height?: number;
  /** The target's own transform parameters (image variants), for {params}. */
  params?: string;
}

/**
 * Fills a --url-template. {key} is percent-encoded; {base} is the base URL's
 * scheme, host and path (no trailing slash); the base URL's query is merged into
 * the result's query, so a token in the base reaches every request.
 */
export function fillTemplate(template: string, baseUrl: string, key: string, d: TemplateTarget): string {
  const filled = template.replace(/\{(base|key|derivative|width|height|params)\}/g, (_, name: string) => {
    switch (name) {
      case 'base':
        return trimBase(baseUrl);
      case 'key':
        return encodeKey(key);
      case 'derivative':
        return encodeURIComponent(d.name);
      case 'width':
        return d.width === undefined ? '' : String(d.width);
      case 'params':
        return d.params ?? '';
      default:
        return d.height === undefined ? '' : String(d.height);
    }
  });
  return withBaseQuery(filled, splitBaseUrl(baseUrl).query);
}

/** Puts the base's query ahead of a built URL's own parameters (names the URL sets win). */
function withBaseQuery(url: string, baseQuery: string): string {
  if (!baseQuery) return url;
  const q = url.indexOf('?');
  if (q < 0) return `${url}?${baseQuery}`;
  return `${url.slice(0, q)}?${joinQuery(baseQuery, url.slice(q + 1))}`;
}

/**
 * imwidth:    <base>/<key>?imwidth=1920
 * derivative: <base>/<key>/desktop/
 * query:      <base>/<key>?derivative=desktop&width=1920&height=1080
 * (each with the base URL's own query first)
 */
export function derivativeUrl(baseUrl: string, key: string, d: Derivative, opts: DerivativeUrlOptions = {}): string {
  if (opts.template) return fillTemplate(opts.template, baseUrl, key, d);
  const path = `/${encodeKey(key)}`;
  switch (opts.format ?? 'imwidth') {
    case 'imwidth':
      return assembleUrl(baseUrl, path, `imwidth=${d.width}`);
    case 'derivative':
      return assembleUrl(baseUrl, `${path}/${encodeURIComponent(d.name)}/`);
    case 'query':
      return assembleUrl(baseUrl, path, `derivative=${encodeURIComponent(d.name)}&width=${d.width}&height=${d.height}`);
    default:
      throw new Error(`unknown URL format "${String(opts.format)}" (known: ${URL_FORMATS.join(', ')})`);
  }
}
