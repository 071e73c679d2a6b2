import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'origin', 'Local media-transforming CDN in front of a folder (demo target and test fixture)', 'issue #2 (origin, in progress)');
}
