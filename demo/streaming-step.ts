// The demo's streaming step, after the workflow: one sample video warmed as HLS
// (`prewarm --hls-template ... --streaming-only`: its master playlist, every
// rendition playlist, init and media segment) and played by one k6 HLS session
// (`loadtest --mode hls`), both as the subcommands a person would type.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleFile } from './sample-library.js';
import { displayCommand, runStep } from '../workflow/run-step.js';

export interface StreamingDemo {
  key: string;
  ok: boolean;
  /** One line for the demo's closing summary. */
  line: string;
  files: string[];
}

/** The sample the step streams: a short MP4 with sound (the portrait clip when there). */
export function streamingSample(samples: readonly SampleFile[]): SampleFile | undefined {
  const videos = samples.filter((s) => s.kind === 'video' && s.audio && s.key.endsWith('.mp4'));
  return videos.find((s) => s.height > s.width) ?? videos.sort((a, b) => a.size - b.size)[0];
}

export async function runStreamingDemo(
  o: { samples: readonly SampleFile[]; baseUrl: string; reportsDir: string; quiet?: boolean; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
  print: (text: string) => void,
): Promise<StreamingDemo | undefined> {
  const sample = streamingSample(o.samples);
  if (!sample) return undefined;
  const dir = join(o.reportsDir, 'streaming');
  await mkdir(dir, { recursive: true });
  const listing = join(dir, 'listing.jsonl');
  await writeFile(listing, `${JSON.stringify({ key: sample.key, size: sample.size, lastModified: '', etag: '' })}\n`);
  const results = join(dir, 'hls-prewarm.json');
  const steps: string[][] = [
    ['prewarm', '--listing-file', listing, '--base-url', o.baseUrl, '--hls-template', '{base}/{key}/hls/master.m3u8', '--streaming-only', '--workers', '8', '--progress', 'false', '--output', results],
    ['loadtest', '--base-url', o.baseUrl, '--results-file', results, '--mode', 'hls', '--sequential', '--iterations', '1', '--session-mean-seconds', '600', '--reports-dir', dir, '--', '--quiet'],
  ];
  print(`\n[streaming] HLS: warm and play ${sample.key}\n`);
  for (const args of steps) {
    if (!o.quiet) print(`  $ ${displayCommand(args)}\n`);
    const r = await runStep(args, { prefix: '  [streaming] ', echo: !o.quiet, signal: o.signal, env: o.env });
    if (r.code !== 0) return { key: sample.key, ok: false, line: `failed: media-toolkit ${args[0]} exited ${r.code} (${r.lastError})`, files: [] };
  }
  const warmed = JSON.parse(await readFile(join(dir, 'hls-prewarm.summary.json'), 'utf8')) as { requests: number; stats: { overall: { ok: number } } };
  const played = JSON.parse(await readFile(join(dir, 'loadtest-summary.json'), 'utf8')) as {
    video?: { sessions: number; stalls: number; startupMs: Record<string, number>; selectedBitrate?: Record<string, number> };
  };
  const v = played.video;
  const kinds: Record<string, number> = {};
  for (const l of (await readFile(join(dir, 'hls-prewarm.jsonl'), 'utf8')).split('\n')) {
    if (!l) continue;
    const kind = (JSON.parse(l) as { kind: string }).kind;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  const warmedText = `${warmed.stats.overall.ok} of ${warmed.requests} requests ok (${['master', 'playlist', 'init', 'segment'].map((k) => `${kinds[k] ?? 0} ${k}`).join(', ')})`;
  const playedText = v ? `${v.sessions} HLS session, startup ${Math.round(v.startupMs.med ?? 0)} ms, ${v.stalls} stalls, ${Math.round((v.selectedBitrate?.avg ?? 0) / 1000)} kbit/s` : 'no session';
  return {
    key: sample.key,
    ok: true,
    line: `${sample.key}: warmed ${warmedText}; played ${playedText}`,
    files: [results, join(dir, 'loadtest-summary.json')],
  };
}
