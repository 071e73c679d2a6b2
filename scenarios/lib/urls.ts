// The URL of a record, built by the common module exactly as the pre-warmer
// built it, so the URL warmed is the URL load-tested.
import { DEFAULT_DERIVATIVES } from '../../common/derivatives.js';
import { IMAGE_VARIANTS, variantUrl } from '../../common/image-variants.js';
import { derivativeUrl, objectUrl, type UrlFormat } from '../../common/url.js';
import type { LoadRecord } from './records.js';

export interface UrlSettings {
  baseUrl: string;
  /** Unset: imwidth for derivatives and each variant's catalogue form (prewarm's default). */
  urlFormat?: UrlFormat;
  urlTemplate?: string;
}

// recordUrl runs once per record at init (100,000s of them): a lookup, not a scan of the catalogue.
const VARIANTS_BY_NAME = new Map(IMAGE_VARIANTS.map((v) => [v.name, v]));

export function recordUrl(rec: LoadRecord, s: UrlSettings): string {
  if (rec.kind === 'variant') {
    const v = VARIANTS_BY_NAME.get(rec.derivative);
    // As prewarm builds them: a template or an explicit format applies to variants too; unset
    // leaves each variant its catalogue form, as prewarm's default does.
    return v ? variantUrl(s.baseUrl, rec.key, v, { format: s.urlFormat, template: s.urlTemplate }) : objectUrl(s.baseUrl, rec.key);
  }
  const known = DEFAULT_DERIVATIVES.find((d) => d.name === rec.derivative);
  const d = {
    name: rec.derivative,
    width: rec.width ?? known?.width ?? 0,
    height: rec.height ?? known?.height ?? 0,
  };
  return derivativeUrl(s.baseUrl, rec.key, d, { format: s.urlFormat, template: s.urlTemplate });
}
