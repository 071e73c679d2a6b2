// CSV results files (same columns as the results record), read with papaparse
// bundled into the k6 script by esbuild.
import Papa from 'papaparse/papaparse.min.js';

export function parseCsv(text: string): Record<string, unknown>[] {
  const res = Papa.parse(text, { header: true, dynamicTyping: true, skipEmptyLines: 'greedy' });
  if (res.data.length === 0 && res.errors.length > 0) throw new Error(`results CSV could not be read: ${res.errors[0].message}`);
  return res.data;
}
