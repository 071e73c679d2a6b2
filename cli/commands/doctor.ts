import type { Command } from 'commander';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { locateTool, TOOL_ENV, type ToolName } from '../../lib/tools.js';
import { pinnedVersions } from '../../lib/project-root.js';
import { listedEncoders } from '../../optimize/hwaccel.js';
import { listedFilters } from '../../optimize/picture-check.js';

const run = promisify(execFile);

async function firstLine(path: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(path, args, { timeout: 15_000 });
    return (stdout || stderr).split('\n')[0].trim();
  } catch (err) {
    return `failed to run: ${(err as Error).message.split('\n')[0]}`;
  }
}

const VERSION_ARGS: Record<ToolName, string[]> = {
  k6: ['version'],
  ffmpeg: ['-hide_banner', '-version'],
  ffprobe: ['-hide_banner', '-version'],
  versitygw: ['--version'],
  rclone: ['version'],
};

/** Video encoders the optimizer can use, as the installed ffmpeg lists them. */
const ENCODERS_OF_INTEREST = [
  'libx264', 'libx265', 'libvpx', 'libvpx-vp9', 'libsvtav1', 'libaom-av1', 'librav1e',
  'h264_nvenc', 'hevc_nvenc', 'av1_nvenc', 'h264_qsv', 'hevc_qsv', 'h264_amf', 'hevc_amf',
  'h264_videotoolbox', 'hevc_videotoolbox', 'h264_vaapi', 'hevc_vaapi', 'aac', 'libopus', 'libvorbis', 'libmp3lame',
];

export function register(program: Command): void {
  program
    .command('doctor')
    .summary('Show the external tools found (k6, ffmpeg, ffprobe, rclone, S3 server), the encoders ffmpeg has and whether it has libvmaf')
    .description(
      'Show where each external tool was found and its version, which encoders the installed ffmpeg lists, and whether it\n' +
        'has the ssim and libvmaf filters the optimize picture check uses.\n' +
        'Tools are looked up by flag, then environment variable (K6_BIN, FFMPEG_PATH, FFPROBE_PATH, RCLONE_BIN, VERSITYGW_BIN),\n' +
        'then PATH, then the project\'s tools/bin (built by `npm run setup-tools`).',
    )
    .action(async () => {
      const pins = pinnedVersions();
      const out: string[] = [];
      for (const name of ['k6', 'ffmpeg', 'ffprobe', 'rclone', 'versitygw'] as ToolName[]) {
        const found = locateTool(name);
        if (!found) {
          out.push(`${name.padEnd(10)} not found (set ${TOOL_ENV[name]} or see README "Prerequisites")`);
          continue;
        }
        const version = await firstLine(found.path, VERSION_ARGS[name]);
        out.push(`${name.padEnd(10)} ${version}  [${found.path}, from ${found.source}]`);
      }
      out.push(`pinned     k6 ${pins.k6Version}, versitygw ${pins.versitygwVersion}`);
      const ffmpeg = locateTool('ffmpeg');
      if (ffmpeg) {
        const listed = await listedEncoders(ffmpeg.path);
        const have = ENCODERS_OF_INTEREST.filter((e) => listed.has(e));
        const missing = ENCODERS_OF_INTEREST.filter((e) => !listed.has(e));
        out.push(`encoders   listed by ffmpeg: ${have.join(', ') || 'none'}`);
        out.push(`           not listed: ${missing.join(', ') || 'none'}`);
        out.push('           (a listed hardware encoder may still fail without its device; `optimize` tries a tiny encode before using one)');
        const filters = await listedFilters(ffmpeg.path);
        out.push(`picture    ssim ${filters.has('ssim') ? 'yes' : 'NO (optimize cannot check pictures with this ffmpeg)'}, libvmaf ${filters.has('libvmaf') ? 'yes: optimize reports VMAF beside SSIM (--min-vmaf)' : 'no: optimize checks pictures with SSIM only (--min-vmaf needs an ffmpeg built with --enable-libvmaf)'}`);
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
