import { Option, type Command } from 'commander';
import { boolArg, choiceOption, floatArg, intArg, listArg } from '../options.js';
import { forcePathStyleOption, remoteOption, storageLocation, type StorageFlags } from '../storage-options.js';
import { UsageError } from '../../lib/errors.js';
import { warn } from '../../lib/log.js';
import { normaliseExtensions } from '../../optimize/candidates.js';
import { FIT_MODES, TARGET_RESOLUTIONS } from '../../optimize/dimensions.js';
import { HARDWARE_CHOICES } from '../../optimize/hwaccel.js';
import { defaultWorkers, runOptimize, type OptimizeOptions } from '../../optimize/index.js';
import { AUDIO_PROFILES, CODECS, CONTAINERS, PRESETS, QUALITIES } from '../../optimize/profiles.js';

/** Flags that pass straight through to OptimizeOptions keep its types. */
type PassedThrough = Pick<
  OptimizeOptions,
  | 'optimizedVideosDir' | 'outputPrefix' | 'codec' | 'quality' | 'preset' | 'crf' | 'targetResolution' | 'fit'
  | 'audioProfile' | 'outputFormat' | 'browserCompatible' | 'hardwareAcceleration' | 'maxOutputRatio'
>;

interface Opts extends PassedThrough, Omit<StorageFlags, 'profile'> {
  remote: string;
  listingFile?: string;
  sizeThreshold: number;
  extension?: string[];
  extensions?: string[];
  limit?: number;
  dryRun?: boolean;
  optimizeVideos?: boolean;
  optimizeInPlace?: boolean;
  createWebm?: boolean;
  disableHardwareAcceleration?: boolean;
  targetSsim?: number;
  measureSsim?: boolean;
  minSsim: number;
  minVmaf?: number;
  fullQualityCheck?: boolean;
  dropSubtitles?: boolean;
  dropDataStreams?: boolean;
  dropAttachments?: boolean;
  workers: number;
  threads: number;
  segmentParallel?: boolean;
  segmentDuration: number;
  efficientBpp?: number;
  report?: string;
  manifest: string;
  tempDir?: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  progress: boolean;
  failOnError?: boolean;
}

export function register(program: Command): void {
  program
    .command('optimize')
    .summary('Re-encode oversized videos with ffmpeg, verify, replace safely')
    .description(
      'Re-encode the videos at or above --size-threshold MiB with ffmpeg, verify every output, and either write it ' +
        'elsewhere (--optimize-videos: --optimized-videos-dir, or --output-prefix in the bucket) or replace the original ' +
        '(--optimize-in-place). Nothing is replaced before its output passed verification: codec, dimensions, ' +
        'duration within 0.5% (at least one frame plus 50 ms), a full decode with -xerror, the frame count, every stream of the source ' +
        '(each audio track, subtitles, cover pictures, data streams) with its language, the chapters and the container\'s title ' +
        'and creation time, a picture check (SSIM, and VMAF when ffmpeg has libvmaf, of the output against the source as ' +
        'displayed: rotation and sample aspect applied; whole files up to 20 s, else 5 windows of 2 s, or --full-quality-check) ' +
        'scoring at least --min-ssim, and a size at most --max-output-ratio of the input. An output below either floor is ' +
        'rejected and the original kept. A stream the output container cannot hold is dropped only with --drop-subtitles, ' +
        '--drop-data-streams or --drop-attachments; without the flag the file is skipped with the reason.\n\n' +
        'In place, every step is recorded first in the manifest (--manifest): a crash leaves the original path or key ' +
        'holding the original or the verified new file, and a rerun finishes the job. Files the manifest says are done ' +
        'are skipped, and so are sources already in the target codec, at or below the target resolution, with at most ' +
        '--efficient-bpp bits per pixel (default h264 0.1, h265 0.06, vp9 0.06, vp8 0.1, av1 0.05).\n\n' +
        'Quality profiles give CRF h264 18/20/23/26/28, h265 22/24/28/30/32, vp9 and vp8 31/33/36/39/42, av1 25/30/34/38/42 ' +
        '(maximum/high/balanced/efficient/minimum) with presets slower/slow/medium/fast/faster. Presets map to libvpx ' +
        '-deadline good -cpu-used 1/2/3/4/5 (ultrafast: realtime 8), libsvtav1 -preset 5/6/8/10/11 (ultrafast 13), ' +
        'libaom-av1 -cpu-used 3/4/5/6/7. Target resolutions are boxes (720p = 1280x720, turned for portrait sources), ' +
        'never upscaled, always even.\n\n' +
        'Exit codes: 0 when every candidate was optimized, skipped, or rejected with its original kept; 1 when any file ' +
        'failed (unreadable source, encode or verification error, upload error) or the run could not start; 2 on a usage ' +
        'error; 130 when interrupted. (--fail-on-error is no longer needed: failures always exit 1.)',
    )
    .addOption(remoteOption('local (a folder: --bucket is its path) or s3'))
    .option('--bucket <name>', 'bucket name, or the folder for --remote local')
    .option('--directory <prefix>', 'prefix (folder) inside the bucket')
    .option('--endpoint <url>', 'S3 endpoint (R2, MinIO...)')
    .option('--region <region>', 'S3 region')
    .addOption(forcePathStyleOption())
    .option('--listing-file <file>', 'take candidates from a `list` output (JSON or JSON Lines) instead of listing')
    .option('--size-threshold <MiB>', 'only files at or above this size, MiB (fractions allowed)', floatArg(0), 256)
    .option('--extension <list>', 'video extensions, comma-separated (default mp4,m4v,mov,mkv,webm)', listArg)
    .addOption(new Option('--extensions <list>', 'same as --extension').argParser(listArg).hideHelp())
    .option('--limit <n>', 'at most this many files that still need work (the manifest\'s settled files are not counted), largest first', intArg(1))
    .option('--dry-run', 'list the candidates with predicted savings; change nothing')
    .option('--optimize-videos', 'write optimized copies (to --optimized-videos-dir, or --output-prefix in the bucket)')
    .option('--optimize-in-place', 'replace each original with its verified optimized version')
    .option('--optimized-videos-dir <dir>', 'folder for optimized copies', 'optimized_videos')
    .option('--output-prefix <prefix>', 'for S3 sources: write the copies under this prefix in the bucket')
    .addOption(choiceOption('--codec <codec>', 'video codec', CODECS, 'h264'))
    .addOption(choiceOption('--quality <profile>', 'quality profile (CRF and preset)', QUALITIES, 'balanced'))
    .addOption(choiceOption('--preset <name>', 'override the profile\'s speed preset (x264 names, mapped for other encoders)', PRESETS))
    .option('--crf <n>', 'override the profile\'s CRF', intArg(0, 63))
    .addOption(choiceOption('--target-resolution <res>', 'target resolution box, never upscaled', TARGET_RESOLUTIONS, '1080p'))
    .addOption(choiceOption('--fit <mode>', 'contain (whole picture), cover (fill, crop), pad (letterbox), stretch', FIT_MODES, 'contain'))
    .addOption(choiceOption('--audio-profile <profile>', 'high 192k, medium 128k 48 kHz, low 96k stereo 44.1 kHz, minimum 64k stereo 44.1 kHz (compliant audio is copied)', AUDIO_PROFILES, 'medium'))
    .addOption(choiceOption('--output-format <format>', 'container (in place keeps each file\'s own)', CONTAINERS, 'mp4'))
    .option('--create-webm', 'also write a WebM (VP9 unless the codec goes in WebM) beside each output, verified and picture-checked like it')
    .addOption(new Option('--browser-compatible [bool]', 'keep MP4 output to h264 + aac so browsers play it').argParser(boolArg).default(true))
    .addOption(new Option('--no-browser-compatible', 'allow h265/vp9/av1 in MP4'))
    .addOption(choiceOption('--hardware-acceleration <type>', 'hardware encoder: auto falls back to software; an explicit choice that fails its trial is an error; a file whose hardware encode fails at run time is encoded again in software', HARDWARE_CHOICES, 'auto'))
    .option('--disable-hardware-acceleration', 'software encoders only (same as --hardware-acceleration none)')
    .option('--max-output-ratio <r>', 'reject outputs larger than this fraction of their input', floatArg(0.01, 10), 0.95)
    .option('--target-ssim <s>', 'search the CRF (short sample encodes) for the smallest output with at least this SSIM, e.g. 0.98', floatArg(0, 1))
    .option('--min-ssim <s>', 'reject outputs whose picture scores below this SSIM against the source (every codec and quality profile)', floatArg(0, 1), 0.95)
    .option('--min-vmaf <score>', 'also reject outputs below this VMAF (0-100; needs an ffmpeg with libvmaf, see doctor)', floatArg(0, 100))
    .option('--full-quality-check', 'compare the whole file in the picture check, not 5 windows of 2 s (files over 20 s)')
    .option('--drop-subtitles', 'drop subtitle tracks the output container cannot hold (else such a file is skipped)')
    .option('--drop-data-streams', 'drop data streams (timecode, telemetry) and extra video streams the output container cannot hold')
    .option('--drop-attachments', 'drop cover pictures and attachments (fonts) the output container cannot hold')
    .option('--measure-ssim', 'no longer needed: every output gets a picture check, its SSIM is in the report')
    .option('--workers <n>', 'files encoded at once (default: from CPU count and memory)', intArg(1, 256), defaultWorkers())
    .option('--threads <n>', 'ffmpeg threads per worker (0: CPUs divided by workers)', intArg(0, 256), 0)
    .option('--segment-parallel', 'encode long videos as keyframe-aligned segments in parallel, then join them (finished segments are reused when a file is retried)')
    .option('--segment-duration <seconds>', 'segment length for --segment-parallel', floatArg(0.5), 30)
    .option('--efficient-bpp <bits>', 'skip sources in the target codec at or below this bits per pixel', floatArg(0))
    .option('--report <file.md>', 'write a Markdown report, and JSON beside it (FILE.json)')
    .option('--manifest <file>', 'the write-ahead manifest (skips done files, recovers interrupted ones)', '.media-toolkit/optimize-manifest.json')
    .option('--temp-dir <dir>', 'where downloads and encodes are made (default: the system temp folder)')
    .option('--ffmpeg-path <path>', 'ffmpeg binary (else FFMPEG_PATH, PATH)')
    .option('--ffprobe-path <path>', 'ffprobe binary (else FFPROBE_PATH, PATH)')
    .option('--no-progress', 'no progress line')
    .option('--fail-on-error', 'deprecated, no effect: a failed file always makes the exit code 1')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  media-toolkit optimize --remote local --bucket ./videos --size-threshold 256 --dry-run\n' +
        '  media-toolkit optimize --remote local --bucket ./videos --size-threshold 0.2 --optimize-videos \\\n' +
        '      --optimized-videos-dir ./optimized --codec h264 --quality efficient --target-resolution 360p --workers 1 --report optimize.md\n' +
        '  AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... media-toolkit optimize --remote s3 --bucket videos \\\n' +
        '      --endpoint https://ACCOUNT.r2.cloudflarestorage.com --optimize-in-place --codec h264 --quality balanced',
    )
    .action(async (opts: Opts) => {
      if (opts.optimizeVideos && opts.optimizeInPlace) throw new UsageError('choose one of --optimize-videos and --optimize-in-place');
      if (!opts.dryRun && !opts.optimizeVideos && !opts.optimizeInPlace) throw new UsageError('say what to do: --optimize-videos, --optimize-in-place, or --dry-run');
      if (!opts.bucket && !opts.listingFile) throw new UsageError('give --bucket (with --remote) or --listing-file');
      if (opts.failOnError) warn('--fail-on-error is deprecated and has no effect: optimize exits 1 whenever a file failed');
      if (opts.measureSsim) warn('--measure-ssim is no longer needed: every output gets a picture check');
      // Ctrl-C or SIGTERM: kill the running ffmpegs, record what happened, write the report, exit 130.
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const report = await runOptimize({
        location: storageLocation(opts),
        listingFile: opts.listingFile,
        sizeThresholdMiB: opts.sizeThreshold,
        extensions: normaliseExtensions([...(opts.extension ?? []), ...(opts.extensions ?? [])]),
        limit: opts.limit,
        dryRun: Boolean(opts.dryRun),
        mode: opts.optimizeInPlace ? 'in-place' : 'copy',
        optimizedVideosDir: opts.optimizedVideosDir,
        outputPrefix: opts.outputPrefix,
        codec: opts.codec,
        quality: opts.quality,
        preset: opts.preset,
        crf: opts.crf,
        targetResolution: opts.targetResolution,
        fit: opts.fit,
        audioProfile: opts.audioProfile,
        outputFormat: opts.outputFormat,
        createWebm: Boolean(opts.createWebm),
        browserCompatible: opts.browserCompatible !== false,
        hardwareAcceleration: opts.disableHardwareAcceleration ? 'none' : opts.hardwareAcceleration,
        maxOutputRatio: opts.maxOutputRatio,
        targetSsim: opts.targetSsim,
        minSsim: opts.minSsim,
        minVmaf: opts.minVmaf,
        fullQualityCheck: Boolean(opts.fullQualityCheck),
        drop: { subtitles: Boolean(opts.dropSubtitles), dataStreams: Boolean(opts.dropDataStreams), attachments: Boolean(opts.dropAttachments) },
        workers: opts.workers,
        threads: opts.threads,
        segmentParallel: Boolean(opts.segmentParallel),
        segmentDuration: opts.segmentDuration,
        efficientBpp: opts.efficientBpp,
        reportPath: opts.report,
        manifestPath: opts.manifest,
        tempDir: opts.tempDir,
        ffmpegPath: opts.ffmpegPath,
        ffprobePath: opts.ffprobePath,
        progress: opts.progress,
        signal: ac.signal,
      }).finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
      if (ac.signal.aborted) process.exitCode = 130;
      else if (report.totals.failed > 0) process.exitCode = 1;
    });
}
