import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'compare', 'Compare a results file with a Cloudflare KV export', 'issue #4 (pre-warming engine)');
}
