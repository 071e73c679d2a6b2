// Ctrl-C / SIGTERM during a run: the first signal takes no new work and lets requests
// in flight finish within the grace period; the second (or the end of the grace
// period) aborts them. Shared by prewarm and verify.
import { warn } from '../../lib/log.js';

export interface Stoppable {
  stop(): void;
  abort(): void;
  counters(): { inFlight: number };
}

export interface ShutdownSignals {
  /** The run to stop once it has started (a signal before that stops it at once). */
  attach(run: Stoppable): void;
  /** The first signal received, or '' when none came. */
  readonly signal: NodeJS.Signals | '';
  /** Removes the handlers and timers. */
  dispose(): void;
}

export function handleShutdownSignals(graceSeconds: number, what = 'request(s)'): ShutdownSignals {
  let run: Stoppable | undefined;
  let signals = 0;
  let first: NodeJS.Signals | '' = '';
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    first ||= name;
    if (!run) return;
    if (signals === 1) {
      warn(`${name}: taking no new work; waiting up to ${graceSeconds} s for ${run.counters().inFlight} ${what} in flight (again to abort)`);
      run.stop();
      graceTimer = setTimeout(() => {
        warn(`grace period over: aborting ${run?.counters().inFlight ?? 0} ${what} still in flight`);
        run?.abort();
      }, graceSeconds * 1000);
      graceTimer.unref();
    } else {
      warn(`${name} again: aborting ${what} in flight`);
      run.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    attach(r) {
      run = r;
      if (signals > 0) r.stop();
    },
    get signal() {
      return first;
    },
    dispose() {
      if (graceTimer) clearTimeout(graceTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Exit code of a run stopped by a signal: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: NodeJS.Signals | ''): number {
  return signal === 'SIGTERM' ? 143 : 130;
}
