import type { Command } from 'commander';
import { runComparison } from '../../prep/compare/run-comparison.js';
import { UsageError } from '../../lib/errors.js';
import { choiceOption, floatArg } from '../options.js';

interface CompareFlags {
  resultsFile?: string;
  compare?: string;
  output?: string;
  format: 'markdown' | 'json';
  tolerance: number;
  onlyCompare?: boolean;
}

export function register(program: Command): void {
  program
    .command('compare')
    .summary('Compare a results file with a Cloudflare KV export')
    .description(
      'Compare a pre-warming results file (JSON or JSONL) with a Cloudflare KV export of the transforming worker:\n' +
        'how many KV entries match a results record, sizes that differ by more than --tolerance percent, keys that only\n' +
        'one side has, and the timings of both sides. The report goes to --output (Markdown or JSON), or to stdout.\n\n' +
        'KV export shapes accepted: {"<key>": {"size": N, ...}}, {"<key>": N}, [{"name": "<key>", "metadata": {...}}]\n' +
        '(wrangler kv key list), or any of them under {"keys"|"entries"|"result": ...}. The size is read from size,\n' +
        'contentLength, content_length, actualTotalVideoSize, totalSize, bytes or byteLength. Keys like\n' +
        '"video:<path>:derivative=<name>" or "<path>:<name>" are matched per derivative; a bare "<path>" matches\n' +
        'every derivative of that file.\n\n' +
        'A missing or malformed file is reported as one line FILE:LINE: reason, exit 2.',
    )
    .option('--results-file <file>', 'results file from prewarm (FILE.json or FILE.jsonl)', 'media_transform_results.json')
    .option('--compare <kv.json>', 'Cloudflare KV export (required)')
    .option('--output <file>', 'report file (default: stdout)')
    .addOption(choiceOption('--format <format>', 'report format', ['markdown', 'json'], 'markdown'))
    .option('--tolerance <percent>', 'size difference allowed, percent of the larger size', floatArg(0), 5)
    .option('--only-compare', 'accepted for compatibility with the old tool: compare never pre-warms')
    .addHelpText(
      'after',
      `
Examples:
  media-toolkit compare --results-file results.json --compare kv.json --output comparison.md
  media-toolkit compare --results-file results.jsonl --compare kv.json --format json --tolerance 1
  # from prewarm: skip pre-warming and only compare the existing --output
  media-toolkit prewarm --output results.json --compare kv.json --only-compare`,
    )
    .action(async (flags: CompareFlags) => {
      if (!flags.compare) throw new UsageError('--compare KV.json is required (a Cloudflare KV export)');
      const { text, oneLine } = await runComparison({
        resultsFile: flags.resultsFile!,
        kvFile: flags.compare,
        output: flags.output,
        format: flags.format,
        tolerancePercent: flags.tolerance,
      });
      if (flags.output) process.stdout.write(`${oneLine}\nreport: ${flags.output}\n`);
      else process.stdout.write(text);
    });
}
