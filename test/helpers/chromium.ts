// Headless Chromium (Debian's package) opening a local HTML file and saving a
// screenshot; the PNG decoded with pngjs so a test can look at its pixels.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

export interface Screenshot {
  width: number;
  height: number;
  /** How many pixels have exactly this colour ('#rrggbb'). */
  count(hex: string): number;
  /** The colour at (x, y). */
  at(x: number, y: number): string;
}

/** Screenshots `html` into `png` (window 1280 x height); no network: every host resolves to nothing. */
export async function screenshot(html: string, png: string, height = 2000): Promise<Screenshot> {
  const profile = await mkdtemp(join(tmpdir(), 'mt-chromium-'));
  try {
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', `--user-data-dir=${profile}`, '--host-resolver-rules=MAP * ~NOTFOUND', '--hide-scrollbars',
      `--screenshot=${png}`, `--window-size=1280,${height}`, pathToFileURL(html).href,
    ];
    await new Promise<void>((resolve, reject) => {
      const child = spawn('chromium', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`chromium exited ${code}: ${err.slice(-500)}`));
      });
    });
  } finally {
    // Chromium's helper processes may still be writing to the profile as it exits: retried, not a failure.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  const img = PNG.sync.read(await readFile(png));
  const hex = (i: number) => `#${[img.data[i], img.data[i + 1], img.data[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const counts = new Map<string, number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const h = hex(i);
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  return { width: img.width, height: img.height, count: (h) => counts.get(h.toLowerCase()) ?? 0, at: (x, y) => hex((y * img.width + x) * 4) };
}
