import type { ResourceUsage } from './activity.types';

/**
 * Measures what one activity costs: wall time, CPU time of the process (user + system, via
 * `process.cpuUsage`) and the highest RSS seen at `sample()` points. The worker runs in the
 * service process, so CPU is the whole process's during the activity: an upper bound when
 * activities run concurrently.
 */
export class ResourceMeter {
  private readonly startedAt = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private peakRss = process.memoryUsage.rss();

  /** Records the current RSS (call at heartbeat points). */
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  /** Usage since construction. */
  finish(): ResourceUsage {
    this.sample();
    const cpu = process.cpuUsage(this.cpuStart);
    return { wallTimeMs: Math.round(performance.now() - this.startedAt), cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssBytes: this.peakRss };
  }
}
