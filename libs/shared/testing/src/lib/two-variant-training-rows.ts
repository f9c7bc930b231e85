/**
 * A deterministic tiny training set for serving tests: 200 rows of three features
 * `[trips (0-12), distance (0-9.9), hour (0-23)]`, the label depending on the distance
 * (`variant` 1) or on the hour (`variant` 2), so the two variants' models answer differently
 * (a hot swap or an alias move is visible in the probability).
 */
export function twoVariantTrainingRows(variant: 1 | 2): { rows: number[][]; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 200; i++) {
    const trips = (i * 7) % 13;
    const distance = ((i * 37) % 100) / 10;
    const hour = (i * 5) % 24;
    rows.push([trips, distance, hour]);
    labels.push(variant === 1 ? (distance + (i % 3) > 5 ? 1 : 0) : (hour + (i % 4) > 12 ? 1 : 0));
  }
  return { rows, labels };
}
