// Streaming writers (listings, change lists) hand their text to a sink in pieces of at least
// 64 KiB: a million rows are a few hundred writes, not a million.
export type TextSink = (text: string) => Promise<void> | void;

const PIECE = 64 * 1024;

export interface TextBatches {
  /** Adds text; writes the batch when it has grown past 64 KiB (the promise is the sink's). */
  add(text: string): Promise<void> | void;
  /** Writes what is left, then `tail`. */
  end(tail?: string): Promise<void> | void;
}

export function textBatches(sink: TextSink): TextBatches {
  let buf = '';
  return {
    add(text) {
      buf += text;
      if (buf.length < PIECE) return;
      const out = buf;
      buf = '';
      return sink(out);
    },
    end(tail = '') {
      const out = buf + tail;
      buf = '';
      return sink(out);
    },
  };
}
