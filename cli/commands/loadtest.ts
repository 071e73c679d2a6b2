import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'loadtest', 'Run the k6 load-test scenario against the CDN', 'issue #5 (k6 scenarios)');
}
