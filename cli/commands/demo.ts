// `media-toolkit demo` (`npm run demo`): the whole workflow on a generated sample
// library and the local origin, in a few minutes, with nothing to configure.
import type { Command } from 'commander';
import { choiceOption, durationArg, intArg } from '../options.js';
import { STAGES, type StageName } from '../../workflow/options.js';
import { runDemo } from '../../demo/run-demo.js';

/** Resolves on Ctrl-C or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export function register(program: Command): void {
  const cmd = program
    .command('demo')
    .summary('Make a sample library, start the local origin and run every stage on it (no credentials needed)')
    .description(
      'The whole job on your machine, no credentials: ffmpeg makes a small sample\n' +
        'library (videos and images in nested folders, one clearly oversized video)\n' +
        'in --output-dir/library, the local CDN origin serves it on 127.0.0.1, and\n' +
        '`workflow` runs analysis, prewarm, errors, a short k6 load test and optimize\n' +
        'against it; then one video is warmed as HLS (master, playlists, segments) and\n' +
        'played by one k6 HLS session. Reports go to --output-dir/reports, index.html links them all.\n' +
        'With --keep the origin stays up afterwards to explore (Ctrl-C stops it).',
    )
    .option('--output-dir <dir>', 'where the library, the origin\'s cache and the reports go', 'demo-output')
    .addOption(choiceOption('--mode <mode>', 'origin derivatives: ffmpeg renders real scaled videos and images; synthetic sends sized placeholder bytes (fastest)', ['ffmpeg', 'synthetic'], 'ffmpeg'))
    .option('--port <n>', 'origin port (0 picks a free one)', intArg(0, 65535), 0)
    .option('--loadtest-users <n>', 'k6 virtual users', intArg(1, 50), 3)
    .option('--loadtest-duration <duration>', 'k6 test length (ramp up, hold, ramp down)', durationArg, '12s')
    .option('--keep', 'leave the origin running afterwards, until Ctrl-C');
  for (const s of STAGES) cmd.option(`--skip-${s}`, `leave out the ${s} stage`);
  cmd.option('--skip-streaming', 'leave out the streaming step (one video warmed as HLS and played by a k6 HLS session)');
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ npm run demo\n' +
        '  $ npm run demo -- --keep                 # then: curl -I "<origin URL>/videos/clips/plain-360p.mp4?imwidth=854"\n' +
        '  $ npx media-toolkit demo --mode synthetic --skip-optimize',
    )
    .action(async (raw: Record<string, unknown>, self: Command) => {
      const globals = self.optsWithGlobals() as { verbose?: boolean; quiet?: boolean };
      const skip = Object.fromEntries(STAGES.map((s) => [s, Boolean(raw[`skip${s[0].toUpperCase()}${s.slice(1)}`])])) as Record<StageName, boolean>;
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      let run;
      try {
        run = await runDemo(
          {
            outputDir: raw.outputDir as string,
            mode: raw.mode as 'ffmpeg' | 'synthetic',
            port: raw.port as number,
            loadtestUsers: raw.loadtestUsers as number,
            loadtestDuration: raw.loadtestDuration as string,
            skip,
            skipStreaming: Boolean(raw.skipStreaming),
            verbose: globals.verbose,
            quiet: globals.quiet,
          },
          (t) => process.stdout.write(t),
          controller.signal,
        );
      } finally {
        process.off('SIGINT', onSigint);
      }
      process.exitCode = run.result.exitCode;
      if (raw.keep && !controller.signal.aborted) {
        const sample = run.samples.find((s) => s.kind === 'video');
        process.stdout.write(
          `\norigin still running at ${run.origin.url} (serving ${run.library}); Ctrl-C to stop\n` +
            (sample ? `  try: curl -sI "${run.origin.url}/${encodeURI(sample.key)}?imwidth=854"\n` : ''),
        );
        await untilStopped();
      }
      await run.origin.close();
    });
}
