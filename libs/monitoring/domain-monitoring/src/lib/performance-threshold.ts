/**
 * The ROC AUC below which a labeled window counts as degraded (`performance-degraded`).
 *
 * With a baseline (the version's offline ROC AUC from the registry) the alarm is a DROP from what
 * the model achieved: `max(floor, baseline − maxDrop)`. A model whose baseline is already below
 * the floor (`MONITORING_MIN_ROC_AUC`) is judged against itself (`baseline − maxDrop`): otherwise
 * every labeled window of it would "degrade" from the day it was registered, and each alert
 * would start a retraining (a promotion policy is the place to refuse such a model). Without a
 * baseline: the floor alone.
 *
 * @param floor `MONITORING_MIN_ROC_AUC` (0..1)
 * @param baseline the version's offline ROC AUC, or null when the registry has none
 * @param maxDrop `MONITORING_MAX_ROC_AUC_DROP` (0..1)
 */
export function rocAucAlertThreshold(floor: number, baseline: number | null, maxDrop: number): number {
  if (baseline === null) return floor;
  return baseline >= floor ? Math.max(floor, baseline - maxDrop) : baseline - maxDrop;
}
