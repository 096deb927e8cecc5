/**
 * Latest-request-wins scheduling for work that runs in steps (chunks of an evaluation): requests run one
 * at a time in order, a request that is no longer the newest when its turn comes is skipped, and a running
 * one sees `isCurrent()` turn false as soon as a newer request arrives, so it can stop after its current
 * step. A slider dragged through 50 positions therefore costs one finished step plus the last position.
 */
export type StepwiseWork = (isCurrent: () => boolean) => Promise<void>;

export class LatestOnly {
  private generation = 0;
  private tail: Promise<unknown> = Promise.resolve();

  /** Number of the newest request (increments per request). */
  get latest(): number {
    return this.generation;
  }

  /**
   * Queue `work`; resolves true if it ran to the end as the newest request, false if it was skipped or
   * superseded while running. Errors thrown by `work` reject the returned promise (the queue continues).
   */
  request(work: StepwiseWork): Promise<boolean> {
    const mine = ++this.generation;
    const isCurrent = () => mine === this.generation;
    const run = this.tail.then(async () => {
      if (!isCurrent()) return false;
      await work(isCurrent);
      return isCurrent();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves when everything queued so far has finished or been skipped. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
