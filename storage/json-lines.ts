// Streamed reading of "one JSON value per line" text: JSON Lines, and JSON
// arrays written one element per line (as `rclone lsjson` and `list --format json`
// do). Memory holds one line at a time, never the whole document.

/** Lines of a byte stream, decoded as UTF-8 (split across chunks safely). */
export async function* textLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = rest.indexOf('\n');
    if (nl < 0) continue;
    let start = 0;
    while (nl >= 0) {
      yield rest.slice(start, nl);
      start = nl + 1;
      nl = rest.indexOf('\n', start);
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest;
}

/**
 * Values of a JSON array written one element per line, or of JSON Lines.
 * Throws naming the line when a line is not JSON (e.g. a pretty-printed array).
 */
export async function* jsonValuesByLine(stream: AsyncIterable<Buffer | string>, what = 'input'): AsyncGenerator<unknown> {
  let n = 0;
  for await (const raw of textLines(stream)) {
    n++;
    let line = raw.trim();
    if (n === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1).trim();
    if (line === '' || line === '[' || line === ']' || line === '[]') continue;
    if (line.startsWith('[')) line = line.slice(1).trim();
    if (line.endsWith(']') && !line.endsWith('"]')) line = line.slice(0, -1).trim();
    if (line.endsWith(',')) line = line.slice(0, -1);
    if (line === '') continue;
    try {
      yield JSON.parse(line);
    } catch {
      throw new Error(`${what}: line ${n} is not one JSON value per line (${line.slice(0, 60)})`);
    }
  }
}
