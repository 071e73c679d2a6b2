// The demo: a generated sample library, the local CDN origin serving it, and the
// whole workflow run on them, with no credentials and nothing outside demo-output/.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { info } from '../lib/log.js';
import { startOrigin } from '../origin/index.js';
import type { RunningOrigin } from '../origin/types.js';
import { makeSampleLibrary, type SampleFile } from './sample-library.js';
import { runWorkflow, type WorkflowResult } from '../workflow/run.js';
import { STAGES, type StageName, type WorkflowOptions } from '../workflow/options.js';
import { planStage } from '../workflow/stages.js';
import { statusText } from '../workflow/state.js';
import { stageEnv } from '../workflow/run-step.js';
import { runStreamingDemo, type StreamingDemo } from './streaming-step.js';

export interface DemoOptions {
  outputDir: string;
  mode: 'synthetic' | 'ffmpeg';
  port: number;
  loadtestUsers: number;
  loadtestDuration: string;
  skip: Partial<Record<StageName, boolean>>;
  /** Leave out the streaming step (one video warmed as HLS and played by one k6 HLS session). */
  skipStreaming?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export interface DemoRun {
  result: WorkflowResult;
  origin: RunningOrigin;
  library: string;
  samples: SampleFile[];
  reportsDir: string;
  streaming?: StreamingDemo;
}

/** Workflow settings that keep the demo short and still show every stage. */
export function demoWorkflowOptions(o: DemoOptions, library: string, baseUrl: string, reportsDir: string): WorkflowOptions {
  return {
    remote: 'local',
    bucket: library,
    baseUrl,
    outputDir: reportsDir,
    workers: 8,
    timeout: 60,
    retry: 1,
    // The sample files are small: 1 MiB singles out the one large video.
    sizeThreshold: 1,
    analysisFormat: 'markdown',
    loadtestUsers: o.loadtestUsers,
    loadtestDuration: o.loadtestDuration,
    loadStages: [],
    skipLargeFiles: false,
    largeFileThresholdMb: 256,
    requestTimeout: '30s',
    useErrorReport: true,
    optimizeVideos: true,
    purge: {},
    optimizeThreshold: 1,
    optimizeCodec: 'h264',
    optimizeQuality: 'efficient',
    optimizeResolution: '360p',
    optimizeWorkers: 1,
    optimizePreset: 'veryfast',
    skip: o.skip,
    resume: false,
    saveProgress: true,
    continueOnError: true,
    dryRun: false,
    interactive: false,
    verbose: o.verbose,
    quiet: o.quiet,
  };
}

export async function runDemo(o: DemoOptions, print: (text: string) => void, signal?: AbortSignal): Promise<DemoRun> {
  const out = resolve(o.outputDir);
  const library = join(out, 'library');
  const reportsDir = join(out, 'reports');
  const started = Date.now();
  info(`demo: sample library in ${library} (made once with ffmpeg, then reused)`);
  const samples = await makeSampleLibrary(library);
  // Reports from an earlier demo would mix with this run's (the optimizer skips files it already did).
  await rm(reportsDir, { recursive: true, force: true });
  // 1 s segments: the short sample clips still make several segments per rendition.
  const origin = await startOrigin({ root: library, host: '127.0.0.1', port: o.port, mode: o.mode, cacheDir: join(out, 'origin-cache'), streaming: { segmentSeconds: 1 } });
  info(`demo: local CDN origin (${o.mode} derivatives) at ${origin.url}`);
  try {
    const wf = demoWorkflowOptions(o, library, origin.url, reportsDir);
    // The demo is self-contained: MEDIA_TOOLKIT_* settings of the shell do not reach its stages.
    const childEnv = stageEnv(Object.keys(process.env).filter((n) => n.startsWith('MEDIA_TOOLKIT_')));
    const result = await runWorkflow(wf, { print, signal, childEnv });
    // After the workflow: one video warmed and played as HLS (the origin streams every video).
    const streaming = o.skipStreaming || signal?.aborted ? undefined : await runStreamingDemo({ samples, baseUrl: origin.url, reportsDir, quiet: o.quiet, signal, env: childEnv }, print);
    const cwd = process.cwd();
    const rel = (p: string) => (relative(cwd, p).startsWith('..') ? p : relative(cwd, p) || '.');
    const lines = ['', `demo finished in ${Math.round((Date.now() - started) / 1000)} s: ${samples.length} sample files, origin ${origin.url} (${origin.stats().requests} requests served)`];
    lines.push(`index: ${rel(join(reportsDir, 'index.html'))} (also index.md)`, 'reports:');
    for (const name of STAGES) {
      const files = planStage(name, wf, existsSync).reports.filter((r) => existsSync(join(reportsDir, r.file)));
      const where = files.length ? files.map((r) => rel(join(reportsDir, r.file))).join(', ') : statusText(result.state.stages[name]);
      lines.push(`  ${name.padEnd(9)} ${where}`);
    }
    if (streaming) lines.push(`  ${'streaming'.padEnd(9)} ${streaming.ok ? streaming.files.map(rel).join(', ') : streaming.line}`, streaming.ok ? `            ${streaming.line}` : '');
    print(`${lines.filter((l, i) => l !== '' || i === 0).join('\n')}\n`);
    if (streaming && !streaming.ok && result.exitCode === 0) result.exitCode = 1;
    return { result, origin, library, samples, reportsDir, streaming };
  } catch (err) {
    await origin.close();
    throw err;
  }
}
