import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'demo', 'Make a sample library, start the local origin and run every stage on it', 'issue #2 (demo, in progress)');
}
