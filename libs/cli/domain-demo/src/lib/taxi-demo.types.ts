/** Options of the taxi closed-loop demo, the record of one replay and its scored rows. */
import type { StrataClient } from '@strata/shared/data-access-strata-client';

/** Options of {@link runTaxiDemo}. */
export interface TaxiDemoOptions {
  client: StrataClient;
  /** Folder with yellow_tripdata_sample_<YYYY-MM>.csv (../shared/datasets/nyc-taxi-yellow-samples). */
  datasetsDir: string;
  /** Repository root (for examples/taxi). */
  repoRoot: string;
  /** Months the model is trained and evaluated on; the last one is the held-out slice. */
  trainMonths: string[];
  /** Months replayed through serving, in time order, with their labels sent as feedback. */
  replayMonths: string[];
  /** Use only the first N trips of each month (tests); all when undefined. */
  sampleRows?: number;
  modelName: string;
  /** Concurrent infer requests during the replay (default 4). */
  concurrency?: number;
  /** A name that makes training requests unique per run of the demo (default: content based). */
  runTag?: string;
  log: (line: string) => void;
  /** Overall bound on each wait (ms, default 600 000). */
  waitTimeoutMs?: number;
  /** Called after each replayed month with what was sent (tests recompute drift from it). */
  onReplay?: (replay: ReplayRecord) => void;
  /**
   * The closed loop (issue #8), on `month` (default: the last replay month), or `false` to skip
   * it: the month is ingested and replayed in two halves (pickup day 1–15, then 16–end). After the
   * first half, monitoring's drift-detected starts a retraining on the freshest data (training),
   * the result becomes `challenger`, the promotion policy starts a canary (registry → serving), the
   * second half is served through the canary, and monitoring's live comparison promotes the
   * challenger or rolls it back (registry). Each of those is waited for and reported.
   */
  closedLoop?: false | { month?: string; challengerWeight?: number; minLabeledPerVersion?: number; minMargin?: number };
}

/** What the demo sent to serving for one replayed month. */
export interface ReplayRecord {
  /** `YYYY-MM`, or `YYYY-MM (1st half)` / `YYYY-MM (2nd half)` in the closed loop. */
  month: string;
  featureNames: string[];
  trainingSetUri: string;
  rows: ReplayRow[];
  predictions: Array<{ predictionId: string; label: number; eventTime: string; probability: number; modelVersion?: number }>;
}

/** One scored trip: its event time, true label and model input (null = missing). */
export interface ReplayRow {
  eventTime: string;
  label: number;
  features: Array<number | null>;
}
