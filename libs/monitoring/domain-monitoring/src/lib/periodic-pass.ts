import type { Logger } from '@nestjs/common';

/**
 * A background pass repeated every `intervalMs` milliseconds, counted from the end of the previous
 * pass (passes never overlap), on an unref'd timer (it never keeps the process alive). A failed
 * pass is logged as a warning (`{ err: message }`, `failure`) and the next one still runs.
 * `stop()` (application shutdown) cancels the pending pass; a running pass checks `stopped`
 * between items to end early.
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | undefined;
  private halted = false;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly failure: string,
  ) {}

  /** True once {@link stop} was called. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Schedules the first pass `intervalMs` from now; an interval of 0 or less never runs a pass. */
  start(intervalMs: number): void {
    if (intervalMs > 0) this.schedule(intervalMs);
  }

  stop(): void {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(intervalMs: number): void {
    if (this.halted) return;
    this.timer = setTimeout(() => {
      this.run()
        .catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, this.failure))
        .finally(() => this.schedule(intervalMs));
    }, intervalMs);
    this.timer.unref();
  }
}
