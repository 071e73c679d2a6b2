// Every URL a CDN may hold for one source key: the source URL itself, and the targets
// pre-warming requests for it (each derivative of a video, each variant of an image),
// taken from prewarm's own work kinds, so a URL purged is exactly a URL warmed.
import { objectUrl } from '../../common/url.js';
import { targetKinds, type TargetUrlOptions } from '../prewarm/work-kinds.js';

export interface KeyUrlOptions extends TargetUrlOptions {
  /** Leave out the plain source URL (<base>/<key>). */
  noSourceUrl?: boolean;
}

export interface KeyUrl {
  /** 'source', or the work kind: 'derivative', 'variant'. */
  kind: string;
  name: string;
  url: string;
}

export interface KeyUrlBuilder {
  (key: string): KeyUrl[];
}

/** A builder of every URL of a key, for these options. */
export function keyUrlBuilder(o: KeyUrlOptions): KeyUrlBuilder {
  const { kinds, context: ctx } = targetKinds(o);
  return (key) => {
    const out: KeyUrl[] = [];
    if (!o.noSourceUrl) out.push({ kind: 'source', name: 'source', url: objectUrl(o.baseUrl, key) });
    // Size and dates do not change a URL: the key is all a kind looks at.
    const obj = { key, size: 0, lastModified: '', etag: '' };
    for (const k of kinds) {
      const targets = k.targets(obj, ctx);
      if (Symbol.iterator in targets) for (const t of targets) out.push({ kind: t.kind, name: t.name, url: t.url });
    }
    return out;
  };
}

export function urlsForKey(key: string, o: KeyUrlOptions): KeyUrl[] {
  return keyUrlBuilder(o)(key);
}
