import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'workflow', 'Run analysis, prewarm, errors, loadtest and optimize in order', 'issue #7 (workflow and configuration)');
}
