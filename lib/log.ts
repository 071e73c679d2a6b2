// Diagnostics go to stderr (stdout stays for data: listings, JSON reports).
// Every line passes through redactText: no secret reaches a log.
import { redactText } from '../common/redact.js';

let verbose = false;
let quiet = false;

export function setLogLevel(opts: { verbose?: boolean; quiet?: boolean }): void {
  verbose = Boolean(opts.verbose);
  quiet = Boolean(opts.quiet);
}

export function isVerbose(): boolean {
  return verbose;
}

export function info(message: string): void {
  if (!quiet) process.stderr.write(`${redactText(message)}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${redactText(message)}\n`);
}

export function debug(message: string): void {
  if (verbose) process.stderr.write(`debug: ${redactText(message)}\n`);
}
