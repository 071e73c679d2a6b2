// k6 provides console in every context, but @types/k6 does not declare it and
// the k6 typecheck has no DOM lib. Only what the scenarios use.
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
