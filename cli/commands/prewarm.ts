import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'prewarm', 'Request every derivative of every file through the CDN and record each result', 'issue #4 (pre-warming engine)');
}
