// Verify's work list: every successful record of a results file becomes one request
// again, to the same URL (secrets the results redacted filled back in from the base
// URL), the same edge address and the same cache-key variant headers.
import type { ResultsRecord } from '../../common/results-record.js';
import { REDACTED, redactUrl } from '../../common/redact.js';
import { UsageError } from '../../lib/errors.js';
import { parseEdge } from '../prewarm/edges.js';
import { parseHeaderSet, type HeaderSet } from '../prewarm/header-sets.js';
import type { WorkItem } from '../prewarm/work-list.js';

/** name -> value of a URL's query (raw, still encoded). */
function queryOf(url: string): Map<string, string> {
  const out = new Map<string, string>();
  const q = url.indexOf('?');
  if (q < 0) return out;
  const hash = url.indexOf('#', q);
  for (const pair of url.slice(q + 1, hash < 0 ? undefined : hash).split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return out;
}

/**
 * The URL a record was warmed at: the results keep it with secrets redacted
 * (`token=REDACTED`), so the values come back from the real base URL. Returns the
 * URL unchanged when nothing was redacted; throws a usage error when a redacted value
 * has no counterpart in the base URL.
 */
export function restoreSecrets(url: string, baseUrl: string | undefined): string {
  if (!url.includes(REDACTED)) return url;
  if (!baseUrl) throw new UsageError('the results file\'s URLs have secrets redacted (e.g. token=REDACTED): pass the real --base-url so verify can send them');
  const base = queryOf(baseUrl);
  // A token in the base URL's path (masked by --redact): the record's URL starts with the base path as
  // the results show it, and the real base path takes its place.
  const realPath = baseUrl.split(/[?#]/)[0].replace(/\/+$/, '');
  const shownPath = redactUrl(baseUrl).split(/[?#]/)[0].replace(/\/+$/, '');
  let out = url;
  if (shownPath !== realPath && out.startsWith(shownPath)) out = realPath + out.slice(shownPath.length);
  out = out.replace(new RegExp(`([?&])([^=&#]+)=${REDACTED}(?=&|#|$)`, 'g'), (m, sep: string, name: string) => {
    const v = base.get(name);
    return v === undefined ? m : `${sep}${name}=${v}`;
  });
  if (out.includes(`${REDACTED}@`)) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@?#]*)@/i.exec(baseUrl);
    if (userinfo) out = out.replace(`${REDACTED}@`, `${userinfo[1]}@`);
  }
  if (out.includes(REDACTED)) throw new UsageError('the --base-url given does not carry the secrets the results redacted (a query parameter or user info is missing from it)');
  return out;
}

export interface VerifyItemOptions {
  /** The real base URL (for redacted secrets). */
  baseUrl?: string;
  /** The real cache-key variant sets (--variant-header), for sets the results show masked. */
  variantSets?: readonly HeaderSet[];
  /** Resolve host names again instead of re-using each record's edge address. */
  dns?: boolean;
}

const sets = new Map<string, HeaderSet>();

/** A work item that requests what the record warmed, where it warmed it. */
export function verifyItem(r: ResultsRecord, o: VerifyItemOptions): WorkItem {
  const item: WorkItem = { key: r.key, sourceSize: r.sourceSize, sizeCategory: r.sizeCategory, name: r.derivative, kind: r.kind, url: restoreSecrets(r.url, o.baseUrl) };
  if (r.width !== undefined) item.width = r.width;
  if (r.height !== undefined) item.height = r.height;
  if (r.edge && !o.dns) item.edge = parseEdge(r.edge, 0);
  if (r.cacheVariant) item.cacheVariant = variantSet(r.cacheVariant, o.variantSets);
  // A byte-range record (an EXT-X-BYTERANGE segment) warmed that range: a cache that stores
  // slices holds that slice, not the whole file, so the same range is asked for (a GET of it).
  const range = r.byteRange ? /^(\d+)-(\d+)$/.exec(r.byteRange) : null;
  if (range) item.range = { offset: Number(range[1]), length: Number(range[2]) - Number(range[1]) + 1 };
  return item;
}

/**
 * The headers to send for a record's cache-key variant. A set whose value looked secret is
 * recorded masked (`X-Api-Key: REDACTED#<hash>`): sending that text would ask for another cache
 * entry and report a MISS, so the real set must come from --variant-header, matched by label.
 */
export function variantSet(label: string, real: readonly HeaderSet[] | undefined): HeaderSet {
  const given = real?.find((s) => s.label === label);
  if (given) return given;
  if (label.includes(REDACTED)) {
    throw new UsageError(`the results file's cache-key variant "${label}" is masked: pass the same --variant-header to verify so it can send the real value`);
  }
  let set = sets.get(label);
  if (!set) sets.set(label, (set = parseHeaderSet(label, 'cacheVariant')));
  return set;
}
