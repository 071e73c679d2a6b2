import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { URL_FORMATS } from '../../common/url.js';
import { UsageError, RuntimeError } from '../../lib/errors.js';
import { info } from '../../lib/log.js';
import { projectRoot } from '../../lib/project-root.js';
import { requireTool } from '../../lib/tools.js';
import { absolute, childEnv, k6Env, summaryPaths, type LoadtestFlags } from '../../loadtest/k6-env.js';
import { ensureBundle } from '../../loadtest/bundle.js';
import { boolArg, choiceOption, durationArg, floatArg, intArg } from '../options.js';
import { requireFile } from '../../lib/require-file.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { compareSummaries, regressionCount } from '../../common/loadtest-report/baseline.js';
import { percent } from '../../common/loadtest-report/percent.js';
import { htmlSummary } from '../../common/loadtest-report/html.js';
import { junitXml } from '../../common/loadtest-report/junit.js';
import { markdownSummary } from '../../common/loadtest-report/markdown.js';
import { textSummary } from '../../common/loadtest-report/text.js';
import { comparisonMarkdown, comparisonText } from '../../loadtest/compare.js';
import { mergeSummaries, readSummary, summaryFiles } from '../../loadtest/merge.js';

interface Flags extends LoadtestFlags {
  k6Script?: string;
  k6Bin?: string;
}

/** Runs k6, streaming its output; resolves to its exit code. Ctrl-C and SIGTERM reach k6, which then writes its summary. */
function runK6(bin: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: 'inherit', env: childEnv(process.env, env) });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (err) => reject(new RuntimeError(`could not start k6 (${bin}): ${err.message}`)));
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1));
    });
  });
}

interface SubFlags {
  reportsDir?: string;
  baseline?: string;
  maxRegression?: string;
  regressionFloorMs?: number;
}

/**
 * A subcommand's flags: commander hands flags that `loadtest` itself also has
 * (--reports-dir, --baseline, --max-regression...) to `loadtest` even when
 * they follow the subcommand's name, so take them from either, then the defaults.
 */
function subFlags(local: SubFlags, parent: SubFlags): Required<Omit<SubFlags, 'baseline'>> & { baseline?: string } {
  return {
    reportsDir: local.reportsDir ?? parent.reportsDir ?? 'reports',
    baseline: local.baseline ?? parent.baseline,
    maxRegression: local.maxRegression ?? parent.maxRegression ?? '10%',
    regressionFloorMs: local.regressionFloorMs ?? parent.regressionFloorMs ?? 10,
  };
}

/** --max-regression: "10%" or "0.1" (a usage error otherwise). */
function regressionArg(text: string): number {
  try {
    return percent(text, '--max-regression', 0.1);
  } catch (err) {
    throw new UsageError(`loadtest: ${(err as Error).message}`);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('loadtest')
    .summary('Load-test the CDN with k6, replaying the pre-warmed derivative URLs like video players do')
    .description(
      [
        'Run the k6 scenario (dist/loadtest.js, rebuilt first when its sources are newer) against --base-url, requesting the successful URLs of a pre-warming results file.',
        '80% of requests carry a Range header (starts: 50% in the first third, 40% in the middle third, 10% at 66-85%; chunks of 50-500 KB), with a random pause between requests; --mode player replays whole video-player sessions instead.',
        'Every answer is checked (206 with the right Content-Range and Content-Length for ranges, 200 otherwise); TTFB, cache hits, bytes per derivative and range correctness are measured.',
        'Load ramps through up to five stages of VUs, or of iterations/s with --load-mode arrival-rate.',
        '--mode player plays each video as a browser plays a progressive MP4 (first range, moov, moov from the end without faststart, then chunks kept ahead of a buffer) and measures startup time, stalls, rebuffer ratio, download ratio and abandonment.',
        '--mode hls / --mode dash play each video\'s stream (--hls-template, --dash-template): master playlist or MPD, segments at real-time pace with the same buffer model, renditions switched by an ABR rule with hysteresis, live playlists reloaded no faster than RFC 8216 allows; video_bitrate_switches and video_selected_bitrate beside the player metrics.',
        'Reports: summary JSON, Markdown, a self-contained HTML report with charts and JUnit XML in --reports-dir, and a text summary on stdout.',
        '--baseline compares with an earlier summary (per derivative: p95 TTFB, p95 duration, cache hits, startup p95, rebuffer ratio).',
        "Exits with k6's code: 0 passed, 99 thresholds crossed. Arguments after -- go to `k6 run` unchanged (e.g. -- --out json=metrics.json).",
      ].join(' '),
    )
    .option('--base-url <url>', 'CDN base URL the derivative URLs are built on (required)')
    .option('--results-file <file>', 'pre-warming results (JSON from `prewarm`, or CSV with the same columns) (required)')
    .option('--config-file <file>', 'JSON file with the same settings as k6 env names (STAGE1_USERS...) or a `stages` array')
    .addOption(choiceOption('--url-format <format>', 'URL form of the derivatives (default imwidth)', URL_FORMATS))
    .option('--url-template <template>', 'URL template instead of a format: {base} {key} {derivative} {width} {height}')
    .addOption(choiceOption('--mode <mode>', 'request pattern: random byte ranges, video-player sessions (progressive MP4), or HLS / DASH sessions with adaptive bitrate (default random)', ['random', 'player', 'hls', 'dash']))
    .option('--hls-template <template>', "hls: each video's master playlist, {base} {key} {stem} (default '{base}/{key}/hls/master.m3u8')")
    .option('--dash-template <template>', "dash: each video's MPD, {base} {key} {stem} (default '{base}/{key}/dash/manifest.mpd')")
    .option('--abr-start-kbps <kbps>', 'hls/dash: throughput estimate before the first download, picks the starting rendition (default 1000)', floatArg(1))
    .option('--abr-fixed <rendition>', 'hls/dash: no adaptation, play lowest, highest or rendition N (0 = lowest): a baseline for the ABR rule')
    .addOption(choiceOption('--load-mode <mode>', 'vus: stage users are VUs; arrival-rate: stage users are iterations/s (default vus)', ['vus', 'arrival-rate']))
    .option('--smoke', 'smoke preset: 1 VU, 3 iterations')
    .option('--sequential', 'iteration i requests record i (no randomness, no ranges): one pass over the records')
    .option('--iterations <n>', 'iterations with --sequential (default: one per record)', intArg(1))
    .option('--vus <n>', 'VUs with --sequential (default 1)', intArg(1))
    .option('--pre-allocated-vus <n>', 'arrival-rate: VUs started up front (default the peak rate)', intArg(1))
    .option('--max-vus <n>', 'arrival-rate: most VUs (default twice the peak rate)', intArg(1));
  for (let i = 1; i <= 5; i++) {
    cmd.option(`--stage${i}-users <n>`, `users (VUs, or iterations/s) at the end of stage ${i}${i === 1 ? ' (default stages: 10 for 30s, 20 for 1m, 0 for 30s)' : ''}`, floatArg(0));
    cmd.option(`--stage${i}-duration <duration>`, `duration of stage ${i}, e.g. 30s, 2m`, durationArg);
  }
  cmd
    .option('--use-error-report', 'leave out the keys listed in --error-report-file')
    .option('--error-report-file <file>', 'exclusion list from `errors` ({"keys":[...]}), a JSON array of keys, or one key per line')
    .option('--skip-large-files', 'leave out files larger than --large-file-threshold-mb')
    .option('--large-file-threshold-mb <mib>', 'large-file threshold in MiB, fractions allowed (default 256)', floatArg(0))
    .option('--request-timeout <duration>', 'per-request timeout (default 30s)', durationArg)
    .option('--range-probability <fraction>', 'fraction of requests with a Range header (default 0.8)', floatArg(0, 1))
    .option('--min-chunk-kb <kb>', 'smallest range (default 50)', floatArg(1))
    .option('--max-chunk-kb <kb>', 'largest range (default 500)', floatArg(1))
    .option('--min-sleep <seconds>', 'shortest pause between requests (default 1)', floatArg(0))
    .option('--max-sleep <seconds>', 'longest pause between requests (default 3)', floatArg(0))
    .option('--seed <n>', 'seed for ranges and pauses (same seed, same requests)', intArg(0))
    .option('--req-duration-threshold <ms>', 'p(95) request duration must stay below (default 15000)', floatArg(0))
    .option('--failure-rate-threshold <fraction>', 'failed-request rate must stay below (default 0.05)', floatArg(0, 1))
    .option('--cache-hit-threshold <fraction>', 'cache-hit rate must reach at least', floatArg(0, 1))
    .option('--ttfb-threshold <ms>', 'p(95) time to first byte must stay below', floatArg(0))
    .option('--range-correctness-threshold <fraction>', 'share of correctly answered ranges must reach at least', floatArg(0, 1))
    .addOption(new Option('--abort-on-fail [bool]', 'stop the test as soon as a threshold is crossed').argParser(boolArg))
    .option('--max-startup-p95 <ms>', 'player: p(95) of video_startup_time must stay below (STARTUP_P95_MAX_MS)', floatArg(0))
    .option('--max-rebuffer-ratio <fraction>', "player: the sessions' mean rebuffer ratio (stall time over watch time) must stay at or below (REBUFFER_RATIO_MAX)", floatArg(0, 1))
    .option('--player-chunk-seconds <s>', 'player: media seconds per chunk request (default 4)', floatArg(0.1))
    .option('--player-buffer-target <s>', 'player: ask for the next chunk while the buffer holds less than this (default 30)', floatArg(0.1))
    .option('--player-startup-seconds <s>', 'player: media seconds buffered before playback starts, and to end a stall (default 2)', floatArg(0))
    .option('--player-abandon-seconds <s>', 'player: a viewer leaves when startup takes longer (default 10)', floatArg(0))
    .option('--player-open-kb <kb>', 'player: size of the first range, where the MP4 boxes are read (default 64)', floatArg(1))
    .option('--player-time-scale <factor>', 'player: real seconds per media second, e.g. 0.1 plays ten times faster (default 1)', floatArg(0.000001))
    .option('--seek-probability <fraction>', 'player: chance per chunk that the viewer seeks (default 0.05)', floatArg(0, 1))
    .option('--session-mean-seconds <s>', 'player: mean watch time, exponential (default 60)', floatArg(0))
    .option('--session-max-requests <n>', 'player: most chunk requests in one session (default 200)', intArg(1))
    .option('--baseline <summary.json>', "compare with an earlier run's summary JSON: a regression beyond --max-regression fails the run (exit 99)")
    .option('--max-regression <percent>', 'allowed change for the worse against --baseline, e.g. 10% (default 10%)')
    .option('--regression-floor-ms <ms>', 'time figures: a regression must also exceed this many ms (default 10)', floatArg(0))
    .option('--output-file <file>', 'summary JSON (default <reports-dir>/loadtest-summary.json)')
    .option('--reports-dir <dir>', 'folder for the summary JSON, Markdown, HTML and JUnit XML', 'reports')
    .option('--k6-script <file>', 'run your own k6 script instead of the bundled scenario (gets the same env)')
    .option('--k6-bin <path>', 'k6 binary (default: K6_BIN, PATH, then tools/bin/k6)')
    .argument('[k6-args...]', 'after --: passed to `k6 run` unchanged')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ media-toolkit loadtest --base-url https://cdn.example.com --results-file prewarm.json \\\n' +
        '      --stage1-users 10 --stage1-duration 1m --stage2-users 50 --stage2-duration 5m --stage3-users 0 --stage3-duration 1m\n' +
        '  $ media-toolkit loadtest --base-url http://127.0.0.1:8080 --results-file prewarm.json --smoke\n' +
        '  $ media-toolkit loadtest --base-url https://cdn.example.com --results-file prewarm.json --mode player \\\n' +
        '      --use-error-report --error-report-file exclusions.json --cache-hit-threshold 0.9 -- --out json=metrics.json\n' +
        '\nThe same run with k6 alone (paths absolute: k6 resolves relative ones against the script\'s folder):\n' +
        '  $ k6 run -e BASE_URL=https://cdn.example.com -e RESULTS_FILE=$PWD/prewarm.json dist/loadtest.js\n',
    )
    .action(async (k6Args: string[], flags: Flags) => {
      if (!flags.baseUrl) throw new UsageError('loadtest: --base-url <url> is required (the CDN base URL)');
      if (!/^https?:\/\//i.test(flags.baseUrl)) throw new UsageError(`loadtest: --base-url must start with http:// or https://, got "${flags.baseUrl}"`);
      if (!flags.resultsFile) throw new UsageError('loadtest: --results-file <file> is required (the pre-warming results JSON)');
      if (flags.resultsFile) await requireFile(flags.resultsFile, '--results-file');
      if (flags.configFile) await requireFile(flags.configFile, '--config-file');
      if (flags.useErrorReport && !flags.errorReportFile) throw new UsageError('loadtest: --use-error-report needs --error-report-file <file>');
      if (flags.errorReportFile) await requireFile(flags.errorReportFile, '--error-report-file');
      if (flags.k6Script) await requireFile(flags.k6Script, '--k6-script');
      if (flags.baseline) await requireFile(flags.baseline, '--baseline');
      if (flags.maxRegression !== undefined) regressionArg(flags.maxRegression);
      const k6 = requireTool('k6', flags.k6Bin);
      let script: string;
      if (flags.k6Script) script = absolute(flags.k6Script);
      else {
        const bundle = await ensureBundle(projectRoot());
        if (bundle.built) info(`loadtest: rebuilt ${bundle.path}`);
        script = bundle.path;
      }
      const paths = summaryPaths(flags);
      // k6 does not create folders for handleSummary's files.
      for (const p of new Set([paths.json, paths.md, paths.html, paths.junit].map((f) => dirname(f)))) await mkdir(p, { recursive: true });
      const env = k6Env(flags);
      info(`loadtest: k6 run ${script} (summary: ${paths.json})`);
      process.exitCode = await runK6(k6, ['run', ...k6Args, script], env);
    });

  cmd
    .command('compare')
    .summary('Compare two load-test summaries (an earlier run against this one) without running k6')
    .description(
      'Per derivative and over all requests: p95 TTFB, p95 request duration, cache-hit share, startup p95 and rebuffer ratio. ' +
        'A regression is a change for the worse beyond --max-regression that is also larger than the floor (--regression-floor-ms for times, ' +
        '2 points of cache-hit share, 0.005 of rebuffer ratio). Exits 99 when there is a regression, like a run with --baseline.',
    )
    .argument('<baseline>', 'the earlier summary JSON')
    .argument('<current>', 'the summary JSON to judge')
    .option('--max-regression <percent>', 'allowed change for the worse, e.g. 10% (default 10%)')
    .option('--regression-floor-ms <ms>', 'time figures: a regression must also exceed this many ms (default 10)', floatArg(0))
    .addOption(choiceOption('--format <format>', 'output format', ['text', 'markdown', 'json'], 'text'))
    .addHelpText('after', '\nExample:\n  $ media-toolkit loadtest compare reports/last-week.json reports/loadtest-summary.json --max-regression 15%\n')
    .action(async (baseFile: string, currentFile: string, local: SubFlags & { format: string }) => {
      const o = subFlags(local, cmd.opts());
      const maxRegression = regressionArg(o.maxRegression);
      const [base, current] = await Promise.all([readSummary(baseFile), readSummary(currentFile)]);
      const c = compareSummaries(base, current, { maxRegression, floorMs: o.regressionFloorMs }, baseFile);
      if (local.format === 'json') process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
      else process.stdout.write(local.format === 'markdown' ? comparisonMarkdown(c, currentFile) : comparisonText(c, currentFile));
      process.exitCode = regressionCount(c) > 0 ? 99 : 0;
    });

  cmd
    .command('merge')
    .summary("Join the runners' summaries of a distributed run and judge the thresholds on the whole")
    .description(
      'Reads the JSON summaries the runners of a distributed run wrote (loadtest-summary.runner-I-of-N.json; files or folders) and writes one ' +
        'summary, as if one k6 had run the whole load: counts, rates and checks exact, averages weighted by count, min and max exact, percentiles ' +
        "merged from each runner's 1% quantile grid (within one percentile rank of exact, stated in the reports). Every threshold the runners had is " +
        'evaluated on the merged figures. Writes JSON, Markdown, HTML and JUnit XML into --reports-dir; exits 99 when a threshold is crossed.',
    )
    .argument('<summaries...>', 'runner summary JSON files, or folders holding them')
    .option('--reports-dir <dir>', 'folder for the merged loadtest-summary.json, .md, .html and loadtest-junit.xml (default reports)')
    .option('--baseline <summary.json>', 'also compare the merged figures with an earlier summary')
    .option('--max-regression <percent>', 'with --baseline: allowed change for the worse (default 10%)')
    .option('--regression-floor-ms <ms>', 'with --baseline: floor for time figures (default 10)', floatArg(0))
    .addHelpText('after', '\nExample:\n  $ media-toolkit loadtest merge /test/reports --reports-dir merged\n')
    .action(async (inputs: string[], local: SubFlags) => {
      const o = subFlags(local, cmd.opts());
      const maxRegression = regressionArg(o.maxRegression);
      const files = await summaryFiles(inputs);
      if (files.length === 0) throw new UsageError(`loadtest merge: no loadtest summaries in ${inputs.join(', ')}`);
      const runners = await Promise.all(files.map(readSummary));
      const s = mergeSummaries(runners, files);
      if (o.baseline) {
        s.baseline = compareSummaries(await readSummary(o.baseline), s, { maxRegression, floorMs: o.regressionFloorMs }, o.baseline);
        if (regressionCount(s.baseline) > 0) s.passed = false;
      }
      const dir = absolute(o.reportsDir);
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(join(dir, 'loadtest-summary.json'), `${JSON.stringify(s, null, 2)}\n`);
      await writeFileAtomic(join(dir, 'loadtest-summary.md'), markdownSummary(s));
      await writeFileAtomic(join(dir, 'loadtest-summary.html'), htmlSummary(s));
      await writeFileAtomic(join(dir, 'loadtest-junit.xml'), junitXml(s));
      process.stdout.write(textSummary(s));
      info(`loadtest merge: ${files.length} runner summaries -> ${join(dir, 'loadtest-summary.json')} (.md, .html, loadtest-junit.xml)`);
      process.exitCode = s.passed ? 0 : 99;
    });
}
