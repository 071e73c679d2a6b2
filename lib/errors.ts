// Two kinds of failure the CLI tells apart: the user asked for something that
// cannot work (exit 2), or the work itself failed (exit 1).

/** Bad input: a missing or malformed flag, an unknown name. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure while doing the work (unreachable server, corrupt file...). Exit code 1. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A one-line message from anything thrown. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').map((l) => l.trim()).filter(Boolean).join(' ') || 'unknown error';
}
