import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicPass } from './periodic-pass';

/**
 * Base of a monitoring service that repeats a background pass ({@link runPass}) from application
 * bootstrap until shutdown, on a {@link PeriodicPass}: the first pass `intervalMs()` milliseconds
 * after bootstrap, the next that long after the previous one ended; an interval of 0 or less
 * never runs a pass. A failed pass is logged as a warning with `failure` as its message.
 * Subclasses log through {@link logger} and end a running pass early when {@link pass} is `stopped`.
 */
export abstract class BackgroundPassService implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger: Logger;
  protected readonly pass: PeriodicPass;

  /**
   * @param loggerName the Nest logger context, e.g. `Monitoring`.
   * @param failure the warning logged when a pass throws.
   * @param intervalMs read at bootstrap: milliseconds between passes.
   */
  protected constructor(
    loggerName: string,
    failure: string,
    private readonly intervalMs: () => number,
  ) {
    this.logger = new Logger(loggerName);
    this.pass = new PeriodicPass(() => this.runPass(), this.logger, failure);
  }

  /** One background pass. */
  protected abstract runPass(): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.pass.start(this.intervalMs());
  }

  onApplicationShutdown(): void {
    this.pass.stop();
  }
}
