// Video derivatives: named target sizes the transforming edge renders.

export interface Derivative {
  name: string;
  width: number;
  height: number;
}

export const DEFAULT_DERIVATIVES: readonly Derivative[] = [
  { name: 'desktop', width: 1920, height: 1080 },
  { name: 'tablet', width: 1280, height: 720 },
  { name: 'mobile', width: 854, height: 640 },
];

/**
 * Picks derivatives by name from a catalogue (default: the built-in one).
 * Throws with the list of known names when a name is unknown.
 */
export function selectDerivatives(names: readonly string[] | undefined, catalogue: readonly Derivative[] = DEFAULT_DERIVATIVES): Derivative[] {
  if (!names || names.length === 0) return [...catalogue];
  return names.map((name) => {
    const d = catalogue.find((c) => c.name === name);
    if (!d) throw new Error(`unknown derivative "${name}" (known: ${catalogue.map((c) => c.name).join(', ')})`);
    return d;
  });
}
