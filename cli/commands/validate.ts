import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { choiceOption, intArg } from '../options.js';
import { forcePathStyleOption, remoteOption, storageLocation, type StorageFlags } from '../storage-options.js';
import { UsageError } from '../../lib/errors.js';
import { info } from '../../lib/log.js';
import { createProgress } from '../../lib/progress.js';
import { requireTool } from '../../lib/tools.js';
import { redactText } from '../../common/redact.js';
import { DEFAULT_VIDEO_PATTERN, renderValidation, runValidation, writeValidation, type ValidationFormat } from '../../optimize/validate.js';

interface Opts extends StorageFlags {
  validateDirectory?: string;
  validateResults?: string;
  videoPattern: string;
  validationWorkers: number;
  validationReport?: string;
  validationFormat: ValidationFormat;
  ffmpegPath?: string;
  ffprobePath?: string;
  progress: boolean;
}

export function register(program: Command): void {
  program
    .command('validate')
    .summary('Integrity check of videos with ffprobe and a decode pass')
    .description(
      'Check that every video is whole: ffprobe must read it and find a video stream with a duration, and a full ' +
        'decode (ffmpeg -xerror) must run without an error and reach the frame count the container announces. ' +
        'Corrupt and truncated files are named with the reason. Nothing is modified.\n\n' +
        'What to check (one of): a local folder (--validate-directory, recursive, files matching --video-pattern), ' +
        'the sources of a prewarm results JSON (--validate-results, keys resolved against --remote/--bucket), or a ' +
        'whole bucket or folder (--remote/--bucket). S3 objects are downloaded to a temp folder one at a time per worker.\n\n' +
        'Exit codes: 0 every file is good, 1 at least one file is corrupt or truncated (or the check could not run), ' +
        '2 usage error. Without --validation-report the report goes to stdout.',
    )
    .option('--validate-directory <dir>', 'local folder to check (recursive)')
    .option('--validate-results <file.json>', 'check the source keys of a prewarm results JSON (needs --remote/--bucket)')
    .addOption(remoteOption('local (a folder: --bucket is its path) or s3'))
    .option('--bucket <name>', 'bucket name, or the folder for --remote local')
    .option('--directory <prefix>', 'prefix inside the bucket')
    .option('--endpoint <url>', 'S3 endpoint')
    .option('--region <region>', 'S3 region')
    .option('--profile <name>', 'AWS profile for S3')
    .addOption(forcePathStyleOption())
    .option('--video-pattern <glob>', 'which files are videos (matched against the file name; ** and / match paths)', DEFAULT_VIDEO_PATTERN)
    .option('--validation-workers <n>', 'files checked at once', intArg(1, 256), Math.max(1, availableParallelism()))
    .option('--validation-report <file>', 'write the report here (default: stdout)')
    .addOption(choiceOption('--validation-format <format>', 'report format', ['text', 'markdown', 'json'], 'markdown'))
    .option('--ffmpeg-path <path>', 'ffmpeg binary (else FFMPEG_PATH, PATH)')
    .option('--ffprobe-path <path>', 'ffprobe binary (else FFPROBE_PATH, PATH)')
    .option('--no-progress', 'no progress line')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  media-toolkit validate --validate-directory ./videos --validation-report validation.md\n' +
        '  media-toolkit validate --validate-results results.json --remote local --bucket ./videos --validation-format json\n' +
        '  media-toolkit validate --remote s3 --bucket videos --endpoint http://127.0.0.1:7070 --validation-workers 4',
    )
    .action(async (opts: Opts) => {
      const sources = [opts.validateDirectory, opts.validateResults, !opts.validateResults && opts.bucket].filter(Boolean).length;
      if (sources !== 1) throw new UsageError('give exactly one of --validate-directory, --validate-results (with --remote/--bucket), or --remote/--bucket');
      if (opts.validateResults && !opts.bucket) throw new UsageError('--validate-results needs --remote and --bucket to find the keys');
      const ffmpeg = requireTool('ffmpeg', opts.ffmpegPath);
      const ffprobe = requireTool('ffprobe', opts.ffprobePath);
      const progress = createProgress({ label: 'validate', unit: 'files', enabled: opts.progress });
      const report = await runValidation({
        directory: opts.validateDirectory,
        resultsFile: opts.validateResults,
        location: storageLocation(opts),
        videoPattern: opts.videoPattern,
        workers: opts.validationWorkers,
        ffmpeg,
        ffprobe,
        onFileDone: (r, done, total) => {
          if (r.status === 'corrupt') info(`corrupt ${r.file}: ${r.reason}`);
          progress.update({ done, total });
        },
      });
      progress.finish();
      if (opts.validationReport) {
        await writeValidation(opts.validationReport, report, opts.validationFormat);
        info(`report: ${opts.validationReport}`);
      } else process.stdout.write(redactText(renderValidation(report, opts.validationFormat)));
      info(`validate: ${report.totals.files} file(s), ${report.totals.ok} ok, ${report.totals.corrupt} corrupt`);
      if (report.totals.corrupt > 0) process.exitCode = 1;
    });
}
