import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'merge', 'Join the results files of sharded pre-warming runs into one', 'issue #7 (in progress)');
}
