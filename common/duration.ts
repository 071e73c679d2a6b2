// k6-style durations ("30s", "2m", "1m30s", "500ms"), checked the same way by
// the CLI flags and by the k6 scenario's env settings.

const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

/** The duration as k6 takes it (a bare number means seconds), or undefined when it is not one. */
export function normalizeDuration(value: string): string | undefined {
  const v = /^\d+(\.\d+)?$/.test(value.trim()) ? `${value.trim()}s` : value.trim();
  return DURATION.test(v) ? v : undefined;
}
