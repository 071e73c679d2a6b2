// URL building for derivatives and variants. The pre-warmer and the k6 scenarios
// both call this, so a URL warmed is exactly the URL load-tested. No `URL` global:
// k6 has none.
import type { Derivative } from './derivatives.js';

export type UrlFormat = 'imwidth' | 'derivative' | 'query';
export const URL_FORMATS: readonly UrlFormat[] = ['imwidth', 'derivative', 'query'];

/**
 * A key as the path after the base: leading slashes dropped (the base supplies
 * one), then percent-encoded segment by segment so spaces, unicode, + # % ? all
 * reach the right object.
 */
export function encodeKey(key: string): string {
  return key
    .replace(/^\/+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** Base URL without trailing slashes, so joining never doubles or drops one. */
export function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** `<base>/<encoded key>` */
export function objectUrl(baseUrl: string, key: string): string {
  return `${trimBase(baseUrl)}/${encodeKey(key)}`;
}

export interface DerivativeUrlOptions {
  format?: UrlFormat;
  /** Overrides format: placeholders {base} {key} {derivative} {width} {height}. */
  template?: string;
}

/** Fills a --url-template. {key} is percent-encoded; {base} has no trailing slash. */
export function fillTemplate(template: string, baseUrl: string, key: string, d: { name: string; width?: number; height?: number }): string {
  return template.replace(/\{(base|key|derivative|width|height)\}/g, (_, name: string) => {
    switch (name) {
      case 'base':
        return trimBase(baseUrl);
      case 'key':
        return encodeKey(key);
      case 'derivative':
        return encodeURIComponent(d.name);
      case 'width':
        return d.width === undefined ? '' : String(d.width);
      default:
        return d.height === undefined ? '' : String(d.height);
    }
  });
}

/**
 * imwidth:    <base>/<key>?imwidth=1920
 * derivative: <base>/<key>/desktop/
 * query:      <base>/<key>?derivative=desktop&width=1920&height=1080
 */
export function derivativeUrl(baseUrl: string, key: string, d: Derivative, opts: DerivativeUrlOptions = {}): string {
  if (opts.template) return fillTemplate(opts.template, baseUrl, key, d);
  const base = objectUrl(baseUrl, key);
  switch (opts.format ?? 'imwidth') {
    case 'imwidth':
      return `${base}?imwidth=${d.width}`;
    case 'derivative':
      return `${base}/${encodeURIComponent(d.name)}/`;
    case 'query':
      return `${base}?derivative=${encodeURIComponent(d.name)}&width=${d.width}&height=${d.height}`;
    default:
      throw new Error(`unknown URL format "${String(opts.format)}" (known: ${URL_FORMATS.join(', ')})`);
  }
}
