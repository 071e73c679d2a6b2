import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'errors', 'Error report from a pre-warming results file, and an exclusion list', 'issue #4 (pre-warming engine)');
}
