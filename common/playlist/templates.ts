// Streaming entry URLs from --hls-template / --dash-template / HLS_TEMPLATE:
// {base} {key} {stem}, filled like --url-template (the key percent-encoded
// segment by segment, the base URL's query kept on the result).
import { encodeKey, fillTemplate } from '../url.js';

export const DEFAULT_HLS_TEMPLATE = '{base}/{key}/hls/master.m3u8';
export const DEFAULT_DASH_TEMPLATE = '{base}/{key}/dash/manifest.mpd';

/** The key without its last extension: `videos/a.b.mp4` -> `videos/a.b`. */
export function keyStem(key: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  return dot > slash + 1 ? key.slice(0, dot) : key;
}

/** Placeholders a streaming template may use; anything else in braces is a mistake. */
export function checkStreamingTemplate(template: string): string | null {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((n) => !['base', 'key', 'stem'].includes(n));
  if (unknown.length > 0) return `unknown placeholder {${unknown[0]}} (known: {base} {key} {stem})`;
  if (!template.includes('{key}') && !template.includes('{stem}')) return 'the template needs {key} or {stem}, or every video gets the same URL';
  return null;
}

export function streamingUrl(template: string, baseUrl: string, key: string): string {
  const withStem = template.replace(/\{stem\}/g, encodeKey(keyStem(key)));
  return fillTemplate(withStem, baseUrl, key, { name: '' });
}

export interface StreamingTemplates {
  hlsTemplate?: string;
  dashTemplate?: string;
}

/**
 * The entry URLs of a key's streams (its master playlist and MPD), named as prewarm
 * records them. The segments are known only from the playlists: purge them with a
 * prefix (`<base>/<key>/` on the local origin) or take them from a prewarm results file.
 */
export function streamingUrls(baseUrl: string, key: string, t: StreamingTemplates): { kind: 'master'; name: 'hls master' | 'dash mpd'; url: string }[] {
  const out: { kind: 'master'; name: 'hls master' | 'dash mpd'; url: string }[] = [];
  if (t.hlsTemplate) out.push({ kind: 'master', name: 'hls master', url: streamingUrl(t.hlsTemplate, baseUrl, key) });
  if (t.dashTemplate) out.push({ kind: 'master', name: 'dash mpd', url: streamingUrl(t.dashTemplate, baseUrl, key) });
  return out;
}
