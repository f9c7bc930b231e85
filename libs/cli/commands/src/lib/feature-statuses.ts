/**
 * Plain-language warnings about feature statuses (the online store's statuses, docs/service-apis.md
 * `POST /get-online-features`): which features were not PRESENT, why, and what serving did
 * (`/predict` imputes them: NaN, then the model's imputation).
 */

/** Why a status is not PRESENT, and what to do about it. */
const WHY: Record<string, string> = {
  NOT_FOUND: 'no online value for this entity key (unknown entity, or its feature view is not materialized)',
  OUTSIDE_MAX_AGE: "the newest online value is older than the feature view's ttlSeconds (old data: raise ttlSeconds in the feature repo)",
  OUTSIDE_AS_OF:
    'the online value was recorded after the requested instant (--event-time / --as-of): the online store keeps only the latest value per key, so a past instant gets no value; replay history with a training set (point-in-time join) instead',
};

/** Statuses per feature name (`{feature: status}`) → one warning per non-PRESENT status naming its features; `[]` when all are PRESENT. */
export function statusWarnings(statuses: Record<string, string>, what = 'imputed'): string[] {
  const by = new Map<string, string[]>();
  for (const [feature, status] of Object.entries(statuses)) {
    if (status === 'PRESENT') continue;
    by.set(status, [...(by.get(status) ?? []), feature]);
  }
  return [...by].map(([status, features]) => `${status} (${what}): ${features.join(', ')}: ${WHY[status] ?? 'not PRESENT'}`);
}

/** Over many predictions: per status, how many predictions had it and for which features. */
export function statusSummary(all: Array<Record<string, string>>): string[] {
  const by = new Map<string, { count: number; features: Set<string> }>();
  for (const statuses of all) {
    const seen = new Set<string>();
    for (const [feature, status] of Object.entries(statuses)) {
      if (status === 'PRESENT') continue;
      const s = by.get(status) ?? { count: 0, features: new Set<string>() };
      if (!seen.has(status)) s.count++;
      seen.add(status);
      s.features.add(feature);
      by.set(status, s);
    }
  }
  return [...by].map(([status, s]) => `${status} in ${s.count} of ${all.length} prediction(s) (imputed): ${[...s.features].join(', ')}: ${WHY[status] ?? 'not PRESENT'}`);
}
