import { defineQuery } from '@temporalio/workflow';

/** Phase of a batch scoring run. */
export type BatchScoringPhase = 'preparing' | 'scoring' | 'finalizing' | 'succeeded' | 'failed' | 'cancelled';

/** Answer of {@link batchScoringProgressQuery}. */
export interface BatchScoringProgress {
  phase: BatchScoringPhase;
  /** Rows scored so far (whole chunks). */
  rowsDone: number;
  /** Rows of the input; null until prepared. */
  rowsTotal: number | null;
  /** Chunks finished / planned (null until prepared). */
  chunksDone: number;
  chunkCount: number | null;
}

/** Query `progress`: answered from workflow state (updated after every finished chunk). */
export const batchScoringProgressQuery = defineQuery<BatchScoringProgress>('progress');
