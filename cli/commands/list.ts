import type { Command } from 'commander';
import { registerPending } from '../pending.js';

export function register(program: Command): void {
  registerPending(program, 'list', 'List the objects in a bucket, folder or rclone remote', 'issue #3 (storage listing and size analysis)');
}
