/**
 * Long computations written once as generators that yield at cheap checkpoints, run two ways: straight
 * through (`drainSteps`, for Node and tests) or cooperatively (`runCooperatively`, for a page): the
 * runner awaits a yield function whenever a time slice has passed, so the main thread can paint and
 * handle input. Both run the same code, so they return the same result.
 */

export interface CooperativeOptions<P> {
  /** Awaited at a pause (default: one macrotask through setTimeout), e.g. a page's own yield helper. */
  yieldFn?: () => Promise<void>;
  /** Work between pauses, in milliseconds of `now` (default 20). */
  sliceMs?: number;
  /** The clock (default performance.now). */
  now?: () => number;
  /** Checked after every pause: an aborted run rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the checkpoint before each pause, e.g. for a progress line. */
  onPause?: (progress: P) => void;
  /** Checkpoints that pause whatever the time (e.g. a new progress line the page must show). */
  urgent?: (progress: P) => boolean;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Run `steps` to its result, ignoring its checkpoints. */
export function drainSteps<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Run `steps` to its result, pausing (see CooperativeOptions) whenever a slice has passed since the last pause. */
export async function runCooperatively<P, T>(steps: Generator<P, T>, options: CooperativeOptions<P> = {}): Promise<T> {
  const yieldFn = options.yieldFn ?? macrotask;
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs ?? 20;
  if (!(sliceMs >= 0)) throw new Error(`sliceMs must be a non-negative number of milliseconds, got ${sliceMs}`);
  options.signal?.throwIfAborted();
  let last = now();
  try {
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (!(options.urgent?.(next.value) ?? false) && now() - last < sliceMs) continue;
      options.onPause?.(next.value);
      await yieldFn();
      options.signal?.throwIfAborted();
      last = now();
    }
  } finally {
    // An abandoned run (aborted, or a throwing callback) lets the generator run its own cleanup.
    steps.return(undefined as T);
  }
}
