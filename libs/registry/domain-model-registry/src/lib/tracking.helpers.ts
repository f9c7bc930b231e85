/** Pure helpers of the tracking service: MLflow view types and the latest-metric rule. */
import type { LifecycleStage, MetricPoint, MetricValue } from '@strata/registry/data-access';
import { InvalidArgumentError } from '@strata/shared/util-errors';
/** Lifecycle stage an MLflow `view_type` selects (null = all); anything else is an InvalidArgumentError. */
export function viewStage(viewType: string | undefined): LifecycleStage | null {
  const v = (viewType ?? 'ACTIVE_ONLY').toUpperCase();
  if (v === 'ACTIVE_ONLY' || v === '1') return 'active';
  if (v === 'DELETED_ONLY' || v === '2') return 'deleted';
  if (v === 'ALL' || v === '3') return null;
  throw new InvalidArgumentError(`Invalid view_type '${viewType}': use ACTIVE_ONLY, DELETED_ONLY or ALL`);
}

const asNumber = (v: MetricValue): number => (typeof v === 'number' ? v : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : NaN);

/** MLflow's latest-metric rule: higher step, then later timestamp, then larger value. */
export function newer(p: { value: MetricValue; timestamp: number; step: number }, cur: MetricPoint): boolean {
  if (p.step !== cur.step) return p.step > cur.step;
  if (p.timestamp !== cur.timestamp) return p.timestamp > cur.timestamp;
  const a = asNumber(p.value);
  const b = asNumber(cur.value);
  return Number.isNaN(b) ? !Number.isNaN(a) : a > b;
}
