// Data files given to the scenario may be JSON or line-based text: one check, one message.

/** The parsed value when `trimmed` looks like a JSON document, undefined when it does not; throws naming `what` when it is broken JSON. */
export function parseJsonDocument(trimmed: string, what: string): unknown {
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}
