// Cache-key variants: CDNs that vary on a request header (Accept for image format
// negotiation, a device header...) cache one object per value, so each value is warmed.
// --variant-header 'NAME: value' (repeatable): one set per flag, every URL once per set.
import { UsageError } from '../../lib/errors.js';
import { redactHeader } from '../../common/redact.js';
import { fnv1a } from '../../common/fnv1a.js';

export interface HeaderSet {
  /** As the records show it: `Accept: image/jpeg`. */
  label: string;
  /** Lower-case name -> value. */
  headers: Record<string, string>;
}

/**
 * The Accept headers current browsers send for images (Chrome/Edge, Firefox, Safari),
 * and a legacy one: the sets a format-negotiating CDN keeps apart.
 */
export const BROWSER_ACCEPT_SETS: readonly string[] = [
  'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8',
  'image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5',
  'image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5',
  'image/jpeg,image/png,image/*;q=0.8,*/*;q=0.5',
];

export function parseHeaderSet(value: string, flag = '--variant-header'): HeaderSet {
  const at = value.indexOf(':');
  if (at <= 0) throw new UsageError(`${flag} "${value}" is not "Name: value"`);
  const name = value.slice(0, at).trim();
  const v = value.slice(at + 1).trim();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name)) throw new UsageError(`${flag} "${value}": "${name}" is not a header name`);
  // The label goes into every record: a secret-looking header is shown masked, with a hash of its
  // value so that two sets stay apart (and --resume tells them apart) without showing either.
  const label = `${name}: ${v}`;
  const shown = redactHeader(label);
  return { label: shown === label ? label : `${shown}#${fnv1a(v).toString(16).padStart(8, '0')}`, headers: { [name.toLowerCase()]: v } };
}

export function browserAcceptSets(): HeaderSet[] {
  return BROWSER_ACCEPT_SETS.map((v) => parseHeaderSet(`Accept: ${v}`));
}
