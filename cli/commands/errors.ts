import type { Command } from 'commander';
import { Option } from 'commander';
import { runErrorReport } from '../../prep/errors-report/run-error-report.js';
import { choiceOption } from '../options.js';

interface ErrorsFlags {
  resultsFile: string;
  output?: string;
  errorReportOutput?: string;
  format: 'markdown' | 'json';
  exclusionList?: string;
}

export function register(program: Command): void {
  program
    .command('errors')
    .summary('Error report from a pre-warming results file, and an exclusion list')
    .description(
      'Read a pre-warming results file (FILE.json or the FILE.jsonl log, even of an interrupted run) and report where\n' +
        'it failed: counts and rates by error class, status code, size category, derivative and extension; sizes and\n' +
        'timings of failed against successful files; the most common messages and URL patterns; first and last error\n' +
        'times; the most problematic files; and recommendations drawn from those numbers.\n\n' +
        'With --exclusion-list it also writes the keys of every file with a failed derivative as\n' +
        '{"version":1,"generatedAt":"...","keys":[...]}, which `loadtest --use-error-report --error-report-file` reads.\n' +
        'A missing or malformed results file is reported as one line FILE:LINE: reason, exit 2.',
    )
    .option('--results-file <file>', 'results file from prewarm (JSON or JSONL)', 'media_transform_results.json')
    .option('--output <file>', 'report file (default: stdout)')
    .addOption(new Option('--error-report-output <file>', 'old name of --output').hideHelp())
    .addOption(choiceOption('--format <format>', 'report format', ['markdown', 'json'], 'markdown'))
    .option('--exclusion-list <file>', 'also write the keys of failed files here (JSON) for the load test')
    .addHelpText(
      'after',
      `
Examples:
  media-toolkit errors --results-file results.json --output errors.md --exclusion-list exclude.json
  media-toolkit errors --results-file results.jsonl --format json > errors.json
  # the old tool's flag names work too
  media-toolkit errors --results-file results.json --error-report-output errors.json --format json`,
    )
    .action(async (flags: ErrorsFlags) => {
      const output = flags.output ?? flags.errorReportOutput;
      const { report, text } = await runErrorReport({ resultsFile: flags.resultsFile, output, format: flags.format, exclusionList: flags.exclusionList });
      if (!output) process.stdout.write(text);
      else {
        const t = report.totals;
        process.stdout.write(
          `errors: ${t.failed} of ${t.records} request(s) failed (${(t.errorRate * 100).toFixed(1)}%) in ${t.failedFiles} file(s); report: ${output}` +
            `${flags.exclusionList ? `; exclusion list: ${flags.exclusionList} (${report.excludedKeys.length} key(s))` : ''}\n`,
        );
      }
    });
}
