// External tools are found the same way everywhere: a CLI flag, then an
// environment variable, then PATH, then the project's own tools/bin.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { RuntimeError } from './errors.js';
import { toolsBinDir } from './project-root.js';

export type ToolName = 'k6' | 'ffmpeg' | 'ffprobe' | 'versitygw' | 'rclone';

export const TOOL_ENV: Record<ToolName, string> = {
  k6: 'K6_BIN',
  ffmpeg: 'FFMPEG_PATH',
  ffprobe: 'FFPROBE_PATH',
  versitygw: 'VERSITYGW_BIN',
  rclone: 'RCLONE_BIN',
};

const INSTALL_HINT: Record<ToolName, string> = {
  k6: 'run `npm run setup-tools` (needs Go 1.26+, builds the pinned k6 into tools/bin), or install k6 and set K6_BIN',
  ffmpeg: 'install ffmpeg (Debian/Ubuntu: `apt-get install ffmpeg`; macOS: `brew install ffmpeg`) or set FFMPEG_PATH',
  ffprobe: 'install ffmpeg, which ships ffprobe (`apt-get install ffmpeg`), or set FFPROBE_PATH',
  versitygw: 'run `npm run setup-tools` (needs Go 1.26+, builds the pinned versitygw into tools/bin), or set VERSITYGW_BIN',
  rclone: 'install rclone (`apt-get install rclone`) or set RCLONE_BIN',
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FoundTool {
  path: string;
  /** Where it was found: flag, env, PATH or tools. */
  source: 'flag' | 'env' | 'PATH' | 'tools';
}

/** Locates a tool or returns undefined. */
export function locateTool(name: ToolName, flagValue?: string, env: NodeJS.ProcessEnv = process.env): FoundTool | undefined {
  if (flagValue) return isExecutable(flagValue) ? { path: flagValue, source: 'flag' } : undefined;
  const fromEnv = env[TOOL_ENV[name]];
  if (fromEnv) return isExecutable(fromEnv) ? { path: fromEnv, source: 'env' } : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  const local = join(toolsBinDir(), name);
  if (isExecutable(local)) return { path: local, source: 'tools' };
  return undefined;
}

/** Locates a tool or throws one clear line saying how to get it. */
export function requireTool(name: ToolName, flagValue?: string, env: NodeJS.ProcessEnv = process.env): string {
  const found = locateTool(name, flagValue, env);
  if (found) return found.path;
  const given = flagValue ?? env[TOOL_ENV[name]];
  if (given) throw new RuntimeError(`${name} not found or not executable at ${given}`);
  throw new RuntimeError(`${name} not found (flag, ${TOOL_ENV[name]}, PATH, tools/bin): ${INSTALL_HINT[name]}`);
}
