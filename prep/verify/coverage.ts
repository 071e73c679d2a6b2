// Cache coverage from verify's answers: the share of URLs that are cache HITs now,
// overall and per derivative, PoP, edge, size category and cache-key variant, the
// URLs that are not, and a keys x derivatives x PoPs matrix for the HTML page.
// Memory is bounded whatever the number of records: counts per group, at most
// MAX_MISSES listed misses and MAX_MATRIX_KEYS matrix rows.
import { isCacheHit } from '../../common/cache-status.js';
import type { CacheStatus, ResultsRecord } from '../../common/results-record.js';
import { pairHash } from '../prewarm/shard.js';

export interface HitShare {
  total: number;
  hits: number;
  /** hits / total (0 for none). */
  ratio: number;
  /** Count per cache status ('failed' for answers that were errors, 'not warmed' for records prewarm could not warm). */
  statuses: Record<string, number>;
}

export interface NotHit {
  key: string;
  derivative: string;
  edge?: string;
  pop?: string | null;
  cacheVariant?: string;
  /** Cache status, or `failed`/`not warmed`. */
  status: string;
  detail?: string;
}

export interface MatrixCell {
  /** PoP (or edge address when no PoP was named) -> status. */
  [pop: string]: string;
}

export interface Coverage {
  overall: HitShare;
  byDerivative: Record<string, HitShare>;
  byPop: Record<string, HitShare>;
  byEdge: Record<string, HitShare>;
  bySizeCategory: Record<string, HitShare>;
  byCacheVariant: Record<string, HitShare>;
  /** URLs that are not HITs (the first MAX_MISSES). */
  notHit: NotHit[];
  notHitTotal: number;
  /** Keys with at least one URL not HIT. */
  keysNotHit: number;
  keys: number;
  matrix: { keys: string[]; derivatives: string[]; pops: string[]; cells: Record<string, Record<string, MatrixCell>>; truncated: boolean };
}

const MAX_MISSES = 10_000;
const MAX_MATRIX_KEYS = 500;
const MAX_MATRIX_COLUMNS = 60;

interface Counter {
  total: number;
  hits: number;
  statuses: Map<string, number>;
}

const newCounter = (): Counter => ({ total: 0, hits: 0, statuses: new Map() });

function count(c: Counter, status: string, hit: boolean): void {
  c.total++;
  if (hit) c.hits++;
  c.statuses.set(status, (c.statuses.get(status) ?? 0) + 1);
}

function share(c: Counter): HitShare {
  return { total: c.total, hits: c.hits, ratio: c.total > 0 ? c.hits / c.total : 0, statuses: Object.fromEntries([...c.statuses.entries()].sort((a, b) => b[1] - a[1])) };
}

export function createCoverage() {
  const overall = newCounter();
  const groups = { derivative: new Map<string, Counter>(), pop: new Map<string, Counter>(), edge: new Map<string, Counter>(), size: new Map<string, Counter>(), variant: new Map<string, Counter>() };
  const notHit: NotHit[] = [];
  let notHitTotal = 0;
  // 53-bit hashes, not the keys: a million keys in ~40 MB less.
  const keysSeen = new Set<number>();
  const keysMissing = new Set<number>();
  // Matrix rows: keys with a miss first; all-HIT keys fill the rest and make room for later misses.
  const rows = new Map<string, { cells: Record<string, MatrixCell>; miss: boolean }>();
  const derivatives = new Set<string>();
  const pops = new Set<string>();
  let truncated = false;

  const bump = (m: Map<string, Counter>, name: string, status: string, hit: boolean) => {
    let c = m.get(name);
    if (!c) m.set(name, (c = newCounter()));
    count(c, status, hit);
  };

  const row = (key: string, miss: boolean) => {
    let r = rows.get(key);
    if (r) {
      r.miss ||= miss;
      return r;
    }
    if (rows.size >= MAX_MATRIX_KEYS) {
      truncated = true;
      if (!miss) return undefined;
      const evict = [...rows.entries()].find(([, v]) => !v.miss);
      if (!evict) return undefined;
      rows.delete(evict[0]);
    }
    rows.set(key, (r = { cells: {}, miss }));
    return r;
  };

  /** One URL's outcome: a verify answer, or a record prewarm could not warm (not re-requested). */
  function add(r: ResultsRecord, warmed: boolean): void {
    const status: string = !warmed ? 'not warmed' : r.ok ? r.cacheStatus : 'failed';
    const hit = warmed && r.ok && isCacheHit(r.cacheStatus as CacheStatus);
    count(overall, status, hit);
    bump(groups.derivative, r.derivative, status, hit);
    const where = r.pop ?? '(none)';
    bump(groups.pop, where, status, hit);
    if (r.edge) bump(groups.edge, r.edge, status, hit);
    bump(groups.size, r.sizeCategory, status, hit);
    if (r.cacheVariant) bump(groups.variant, r.cacheVariant, status, hit);
    const kh = pairHash(r.key, '');
    keysSeen.add(kh);
    if (!hit) {
      keysMissing.add(kh);
      notHitTotal++;
      if (notHit.length < MAX_MISSES) {
        const n: NotHit = { key: r.key, derivative: r.derivative, status };
        if (r.edge) n.edge = r.edge;
        if (r.pop !== undefined) n.pop = r.pop;
        if (r.cacheVariant) n.cacheVariant = r.cacheVariant;
        if (!r.ok && r.errorMessage) n.detail = r.errorMessage;
        notHit.push(n);
      }
    }
    const column = r.pop ?? r.edge ?? '(none)';
    if (derivatives.size < MAX_MATRIX_COLUMNS || derivatives.has(r.derivative)) derivatives.add(r.derivative);
    else truncated = true;
    pops.add(column);
    const rw = row(r.key, !hit);
    if (rw && derivatives.has(r.derivative)) {
      const cell = (rw.cells[r.derivative] ??= {});
      // Several answers for one cell (cache-key variants): the worst one shows.
      if (!cell[column] || isCacheHit(cell[column] as CacheStatus)) cell[column] = hit ? r.cacheStatus : status;
    }
  }

  function summary(): Coverage {
    const out = (m: Map<string, Counter>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [k, share(c)]));
    const keys = [...rows.keys()].sort((a, b) => Number(rows.get(b)!.miss) - Number(rows.get(a)!.miss) || a.localeCompare(b));
    return {
      overall: share(overall),
      byDerivative: out(groups.derivative),
      byPop: out(groups.pop),
      byEdge: out(groups.edge),
      bySizeCategory: out(groups.size),
      byCacheVariant: out(groups.variant),
      notHit,
      notHitTotal,
      keysNotHit: keysMissing.size,
      keys: keysSeen.size,
      matrix: { keys, derivatives: [...derivatives], pops: [...pops].sort(), cells: Object.fromEntries(keys.map((k) => [k, rows.get(k)!.cells])), truncated },
    };
  }

  return { add, summary };
}
