import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'optimize', 'Re-encode oversized videos with ffmpeg, verify, replace safely', 'issue #6 (optimize and validate)');
}
