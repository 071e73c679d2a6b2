import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'analyze', 'Size report of a bucket or listing: distribution, histogram, largest files, savings', 'issue #3 (storage listing and size analysis)');
}
