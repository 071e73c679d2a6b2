import { Option, type Command } from 'commander';
import { choiceOption, floatArg, intArg } from '../options.js';
import { addListingOptions, listOptionsFrom, LOCATION_HELP, type ListingCliOptions } from './list.js';
import { listObjects, ownFilesMatcher, type StoredObject } from '../../storage/index.js';
import { objectFilter } from '../../storage/filters.js';
import { readListingFile } from '../../storage/listing-format.js';
import { analyzeListing, renderReport, REPORT_FORMATS, type ReportFormat } from '../../prep/analyze/index.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { createProgress } from '../../lib/progress.js';
import { UsageError } from '../../lib/errors.js';
import { info } from '../../lib/log.js';
import { redactUrl } from '../../common/redact.js';

interface AnalyzeCliOptions extends ListingCliOptions {
  listingFile?: string;
  listingFormat?: 'json' | 'jsonl' | 'csv';
  sizeThreshold: number;
  smallFileThreshold: number;
  mediumFileThreshold: number;
  top: number;
  format: ReportFormat;
  output?: string;
  sizeReportOutput?: string;
  progress: boolean;
}

/** Objects from a listing file, with the same filters and --limit as a live listing. */
async function* fromListingFile(o: AnalyzeCliOptions): AsyncGenerator<StoredObject> {
  const extensions = [...(o.extensions ?? []), ...(o.extension ?? [])];
  const keep = objectFilter({ extensions: extensions.length ? extensions : undefined, mediaType: o.mediaType, minSize: o.minSize, maxSize: o.maxSize, exclude: o.exclude });
  let n = 0;
  if (o.limit !== undefined && o.limit <= 0) return;
  for await (const obj of readListingFile(o.listingFile!, o.listingFormat)) {
    if (keep && !keep(obj)) continue;
    yield obj;
    if (o.limit !== undefined && ++n >= o.limit) return;
  }
}

function describeSource(o: AnalyzeCliOptions): string {
  if (o.listingFile) return `listing file ${o.listingFile}`;
  if (o.remote === 'local') return `local folder ${o.bucket}${o.directory ? ` (${o.directory})` : ''}`;
  const where = o.remote === 's3' ? `s3://${o.bucket}` : `${o.remote}:${o.bucket}`;
  const dir = o.directory ? `/${o.directory.replace(/^\/+/, '')}` : '';
  return `${where}${dir}${o.endpoint ? ` at ${redactUrl(o.endpoint)}` : ''}`;
}

export function register(program: Command): void {
  const cmd = program
    .command('analyze')
    .summary('Size report of a bucket or listing: distribution, histogram, largest files, savings')
    .description(
      'A size report of a live listing (same --remote/--bucket options and filters as `list`) or of a listing ' +
        'file written by `list` (--listing-file, json/jsonl/csv): total and count; smallest, largest, mean, median, ' +
        'p90 and p99; files per size category (small < 50 MiB, medium 50 to 200 MiB, large > 200 MiB); a histogram ' +
        'over power-of-two buckets; a breakdown by extension; the largest files; the files above --size-threshold ' +
        'with their share of all bytes, and the estimated savings if those videos were re-encoded (the assumed ' +
        'ratio per codec is stated in the report).\n\n' +
        'Memory stays bounded whatever the size of the listing: counts and sums are exact; quantiles are exact up to ' +
        '100,000 files and past that estimated within ±1% (the report says which).',
    );
  addListingOptions(cmd)
    .option('--listing-file <file>', 'analyze this listing (json, jsonl or csv as written by `list`; - for stdin) instead of listing a bucket')
    .addOption(choiceOption('--listing-format <format>', 'format of --listing-file (default: from its extension, else jsonl)', ['json', 'jsonl', 'csv']))
    .option('--size-threshold <MiB>', 'report files above this size in MiB (fractions allowed)', floatArg(0), 256)
    .option('--small-file-threshold <MiB>', 'files below this many MiB are small', floatArg(0), 50)
    .option('--medium-file-threshold <MiB>', 'files up to this many MiB are medium, above it large', floatArg(0), 200)
    .option('--top <n>', 'how many of the largest files to list', intArg(0, 100_000), 20)
    .addOption(choiceOption('--format <format>', 'report format (html: one self-contained page with SVG charts)', REPORT_FORMATS, 'markdown'))
    .option('--output <file>', 'write the report to this file (atomically) instead of stdout')
    .addOption(new Option('--size-report-output <file>', 'same as --output (the older name)'))
    // The older tools needed --list-files to get the size-sorted list; the report always has it.
    .addOption(new Option('--list-files', 'accepted for compatibility: the report always lists the largest files').hideHelp())
    .option('--no-progress', 'no progress line on stderr')
    .addHelpText(
      'after',
      `
${LOCATION_HELP}

Examples:
  $ media-toolkit analyze --remote local --bucket ./media --size-threshold 0.2
  $ media-toolkit analyze --remote s3 --bucket videos --directory 2024 --format html --output sizes.html
  $ media-toolkit list --remote s3 --bucket videos --format jsonl --output videos.jsonl
  $ media-toolkit analyze --listing-file videos.jsonl --format json --output sizes.json`,
    )
    .action(async (o: AnalyzeCliOptions) => {
      if (o.smallFileThreshold > o.mediumFileThreshold) throw new UsageError('--small-file-threshold is larger than --medium-file-threshold');
      if (!o.listingFile && !o.bucket) throw new UsageError('--bucket (or --listing-file) is required');
      if (o.listingFile && o.bucket) throw new UsageError('give either --listing-file or --bucket, not both');
      const output = o.output ?? o.sizeReportOutput;
      // The report's own file inside the listed folder is never counted.
      const objects = o.listingFile ? fromListingFile(o) : listObjects({ ...listOptionsFrom(o), isOwnFile: ownFilesMatcher([output]) });
      const progress = createProgress({ label: 'analyze', unit: 'obj', enabled: o.progress && Boolean(output) });
      const report = await analyzeListing(
        objects,
        {
          sizeThresholdMiB: o.sizeThreshold,
          thresholds: { smallMiB: o.smallFileThreshold, mediumMiB: o.mediumFileThreshold },
          top: o.top,
          source: describeSource(o),
        },
        (n) => progress.update({ done: n }),
      );
      const text = renderReport(report, o.format);
      if (output && output !== '-') {
        await writeFileAtomic(output, text);
        progress.finish({ done: report.count });
        info(`analyzed ${report.count} file(s); ${o.format} report written to ${output}`);
      } else {
        // A reader that stops early (`| head`) is not an error.
        if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => undefined);
        process.stdout.write(text);
      }
    });
}
