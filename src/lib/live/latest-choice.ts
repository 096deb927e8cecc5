/**
 * The newest of overlapping choices wins (the live page's model choices: a source from the list, a file
 * converted in the page). Each `begin` supersedes the choice before it: that one's signal aborts, so its
 * loading or conversion can stop at its next pause. A finished choice's result is applied only while it
 * is still the newest, and applications run one at a time in the order they arrive, so an older result
 * can neither replace a newer one nor interleave with it; a result that comes too late is handed to
 * `discard` (e.g. to free its tensors).
 */

/** One choice: whether it is still the newest, and a signal that aborts when a newer one begins. */
export interface Choice {
  readonly signal: AbortSignal;
  isCurrent(): boolean;
}

/** The reason a superseded choice's signal aborts with. */
export class SupersededError extends Error {
  constructor() {
    super("a newer choice replaced this one");
    this.name = "SupersededError";
  }
}

export class LatestChoice {
  private newest = 0;
  private controller: AbortController | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  /** Start a choice; the previous one is superseded. */
  begin(): Choice {
    this.controller?.abort(new SupersededError());
    const controller = new AbortController();
    this.controller = controller;
    const id = ++this.newest;
    return { signal: controller.signal, isCurrent: () => id === this.newest };
  }

  /**
   * Apply `value` (`apply` takes it over) if `choice` is the newest when its turn comes, else `discard` it.
   * Resolves whether it was applied; an error of `apply` or `discard` rejects (the queue goes on).
   */
  commit<T>(
    choice: Choice,
    value: T,
    apply: (value: T) => Promise<void> | void,
    discard: (value: T) => void,
  ): Promise<boolean> {
    const run = this.tail.then(async () => {
      if (!choice.isCurrent()) {
        discard(value);
        return false;
      }
      await apply(value);
      return true;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
