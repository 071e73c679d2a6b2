import type { Command } from 'commander';
import { UsageError } from '../lib/errors.js';

/** A subcommand whose issue has not landed: it says so and exits 2. */
export function registerPending(program: Command, name: string, summary: string, issue: string): void {
  program
    .command(name)
    .summary(summary)
    .description(`${summary}\n\nNot available yet: lands with ${issue}.`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new UsageError(`"${name}" is not available yet: it lands with ${issue}`);
    });
}
