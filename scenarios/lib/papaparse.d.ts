// The slice of papaparse the k6 side uses. Declared here because @types/papaparse
// pulls in Node's types, which must not leak into the k6 typecheck.
declare module 'papaparse/papaparse.min.js' {
  interface ParseResult {
    data: Record<string, unknown>[];
    errors: Array<{ message: string; row?: number }>;
  }
  interface ParseConfig {
    header?: boolean;
    dynamicTyping?: boolean;
    skipEmptyLines?: boolean | 'greedy';
  }
  const Papa: { parse(input: string, config?: ParseConfig): ParseResult };
  export default Papa;
}
