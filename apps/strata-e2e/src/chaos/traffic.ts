/**
 * Continuous inference traffic with prediction logging and feedback labels, for the chaos suite.
 * Every request carries a unique `prediction_id` (`<tag>-<seq>`); the generator remembers which
 * requests serving answered 200 (acknowledged: the platform owes monitoring exactly one record
 * of each) and which feedback batches monitoring accepted (202).
 */

/** One model input row (already in the model's feature order) with its event time and label. */
export interface TrafficRow {
  eventTime: string;
  label: number;
  features: number[];
}

export interface TrafficOptions {
  servingUrl: string;
  monitoringUrl: string;
  credential: string;
  modelName: string;
  rows: TrafficRow[];
  /** Prefix of every prediction id (unique per run). */
  tag: string;
  /** Concurrent request loops (default 2). */
  concurrency?: number;
  /** Pause of each loop between two requests, ms (default 40). */
  pauseMs?: number;
  /** Per-request deadline, ms (default 5000). */
  requestTimeoutMs?: number;
  /** Feedback is sent every this many ms for the acknowledged, not yet labeled predictions (default 1500). */
  feedbackEveryMs?: number;
}

/** What serving answered for one prediction. */
export interface AckedPrediction {
  version: number;
  eventTime: string;
  label: number;
  at: number;
}

export class Traffic {
  readonly acked = new Map<string, AckedPrediction>();
  /** Prediction ids whose feedback monitoring accepted (202). */
  readonly labeled = new Set<string>();
  /** Requests that got no 200 (refused, 5xx, timeout): the caller knows they failed. */
  failures = 0;
  feedbackFailures = 0;
  readonly lastErrors: string[] = [];
  private seq = 0;
  private running = false;
  private paused = false;
  private loops: Array<Promise<void>> = [];
  private feedbackLoop: Promise<void> | undefined;
  private inFlight = 0;

  constructor(private readonly o: TrafficOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.o.concurrency ?? 2 }, () => this.loop());
    this.feedbackLoop = this.feedback();
  }

  /** Stops sending new requests and waits (bounded by the request deadline) for those in flight. */
  async pause(): Promise<void> {
    this.paused = true;
    const deadline = Date.now() + (this.o.requestTimeoutMs ?? 5000) + 2000;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(50);
    await this.sendFeedback();
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.feedbackLoop;
  }

  /**
   * One inference outside the loops (counted like the others).
   * @returns the version that answered, or undefined when serving did not answer 200
   */
  async inferOnce(): Promise<number | undefined> {
    return this.send();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.paused) {
        await sleep(50);
        continue;
      }
      await this.send();
      await sleep(this.o.pauseMs ?? 40);
    }
  }

  private async send(): Promise<number | undefined> {
    const seq = this.seq++;
    const row = this.o.rows[seq % this.o.rows.length]!;
    const predictionId = `${this.o.tag}-${seq}`;
    this.inFlight++;
    try {
      const res = await fetch(`${this.o.servingUrl}/v2/models/${encodeURIComponent(this.o.modelName)}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.credential}` },
        body: JSON.stringify({
          id: predictionId,
          inputs: [{ name: 'input', datatype: 'FP32', shape: [1, row.features.length], data: row.features }],
          parameters: { prediction_id: predictionId, event_time: row.eventTime },
        }),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 5000),
      });
      const text = await res.text();
      if (res.status !== 200) {
        this.fail(`infer ${res.status}: ${text.slice(0, 200)}`);
        return undefined;
      }
      const version = Number((JSON.parse(text) as { model_version?: string }).model_version);
      this.acked.set(predictionId, { version, eventTime: row.eventTime, label: row.label, at: Date.now() });
      return version;
    } catch (e) {
      this.fail(`infer: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    } finally {
      this.inFlight--;
    }
  }

  private fail(message: string): void {
    this.failures++;
    this.lastErrors.push(`${new Date().toISOString()} ${message}`);
    if (this.lastErrors.length > 20) this.lastErrors.shift();
  }

  private async feedback(): Promise<void> {
    while (this.running) {
      await sleep(this.o.feedbackEveryMs ?? 1500);
      if (!this.paused) await this.sendFeedback();
    }
    await this.sendFeedback();
  }

  /** Sends the labels of every acknowledged prediction not labeled yet (one list per call, ≤ 500). */
  private async sendFeedback(): Promise<void> {
    const pending = [...this.acked.entries()].filter(([id]) => !this.labeled.has(id)).slice(0, 500);
    if (pending.length === 0) return;
    try {
      const res = await fetch(`${this.o.monitoringUrl}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.credential}` },
        body: JSON.stringify(pending.map(([predictionId, p]) => ({ predictionId, modelName: this.o.modelName, label: p.label, observedAt: p.eventTime }))),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 5000),
      });
      const text = await res.text();
      if (res.status === 202) for (const [id] of pending) this.labeled.add(id);
      else {
        this.feedbackFailures++;
        this.fail(`feedback ${res.status}: ${text.slice(0, 200)}`);
      }
    } catch (e) {
      this.feedbackFailures++;
      this.fail(`feedback: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
