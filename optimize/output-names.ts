// Output names, decided for the whole run before any encode: `a.mov` and
// `a.mp4` both become `a.mp4` in an optimized folder, and the second would
// overwrite the first. Names are compared without case (macOS and Windows
// folders, and CDNs that fold case). A source whose key already is the name
// keeps it; the others get their whole key plus the new extension
// (`a.mov.mp4`); a name taken even then is refused with a clear line.
import { withExtension } from './paths.js';
import type { ContainerName } from './profiles.js';

export interface OutputName {
  /** The output's key (copy mode: under the output folder or prefix; in place: the source key itself). */
  main: string;
  /** The --create-webm companion's key (beside the output), when one is made. */
  companion?: string;
  /** Why a name differs from the plain one. */
  note?: string;
  /** Why the file cannot get a name of its own: it is skipped with this reason. */
  refused?: string;
}

export interface NamingOptions {
  mode: 'copy' | 'in-place';
  createWebm: boolean;
  /** The container each source's output is written in. */
  containerOf: (key: string) => ContainerName;
}

interface Claim {
  key: string;
  kind: 'main' | 'companion';
  name: string;
}

export function planOutputNames(keys: readonly string[], o: NamingOptions): Map<string, OutputName> {
  const out = new Map<string, OutputName>();
  const claims: Claim[] = [];
  for (const key of [...keys].sort()) {
    const container = o.containerOf(key);
    const main = o.mode === 'in-place' ? key : withExtension(key, container);
    claims.push({ key, kind: 'main', name: main });
    if (o.createWebm && container !== 'webm') claims.push({ key, kind: 'companion', name: withExtension(key, 'webm') });
    out.set(key, { main });
  }
  // In place, the sources themselves hold their names: a companion never takes one.
  const taken = new Map<string, string>();
  if (o.mode === 'in-place') for (const k of keys) taken.set(k.toLowerCase(), k);
  const groups = new Map<string, Claim[]>();
  for (const c of claims) {
    if (o.mode === 'in-place' && c.kind === 'main') continue;
    const g = groups.get(c.name.toLowerCase()) ?? [];
    g.push(c);
    groups.set(c.name.toLowerCase(), g);
  }
  const renamed: Claim[] = [];
  // Outputs first, then companions: a companion keeps the plain name when its output did.
  const ordered = [...groups].sort(([, a], [, b]) => Number(a[0].kind === 'companion') - Number(b[0].kind === 'companion'));
  for (const [lower, g] of ordered) {
    const holder = taken.get(lower);
    if (g.length === 1 && !holder) continue;
    // The one whose key already is the name keeps it (`a.mp4` stays `a.mp4`), or, for a companion, the one
    // whose output kept its plain name; everyone else moves aside.
    const natural = holder ? undefined : g.find((c) => (c.kind === 'main' ? c.key === c.name : !renamed.some((r) => r.key === c.key) && out.get(c.key)!.main === c.key));
    const others = g.filter((c) => c !== natural);
    for (const c of others) {
      const ext = c.name.slice(c.name.lastIndexOf('.') + 1);
      const name = `${c.key}.${ext}`;
      const rivals = [...new Set(g.filter((x) => x.key !== c.key).map((x) => x.key))];
      renamed.push({ ...c, name });
      const note = `${c.kind === 'main' ? 'output' : 'WebM companion'} named ${name}: ${[holder, ...rivals].filter(Boolean).join(' and ')} ${rivals.length + (holder ? 1 : 0) > 1 ? 'also map' : 'also maps'} to ${c.name}`;
      const entry = out.get(c.key)!;
      if (c.kind === 'main') entry.main = name;
      else entry.companion = name;
      entry.note = entry.note ? `${entry.note}; ${note}` : note;
    }
  }
  for (const c of claims) if (c.kind === 'companion' && out.get(c.key)!.companion === undefined) out.get(c.key)!.companion = c.name;
  // A moved-aside name can still meet another source's own name (a key literally called `a.mov.mp4`).
  const final = new Map<string, string[]>();
  for (const [key, n] of out) {
    for (const name of [o.mode === 'copy' ? n.main : undefined, n.companion].filter((x): x is string => Boolean(x))) {
      const l = name.toLowerCase();
      final.set(l, [...(final.get(l) ?? []), key]);
    }
  }
  for (const [name, owners] of final) {
    const clash = o.mode === 'in-place' && taken.has(name) ? [...owners, taken.get(name)!] : owners;
    const distinct = [...new Set(clash)];
    if (distinct.length < 2) continue;
    for (const key of owners) {
      if (!renamed.some((r) => r.key === key)) continue;
      out.get(key)!.refused = `no output name of its own: ${name} is also wanted by ${distinct.filter((k) => k !== key).join(', ')}; rename one of them`;
    }
  }
  return out;
}
