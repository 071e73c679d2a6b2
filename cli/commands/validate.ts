import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'validate', 'Integrity check of videos with ffprobe and a decode pass', 'issue #6 (optimize and validate)');
}
