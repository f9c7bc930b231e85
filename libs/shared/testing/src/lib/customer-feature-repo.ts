/** One feature column of {@link customerFeatureRepoYaml}: its name and Feast-style dtype (`INT64`, `FLOAT64`, …). */
export interface CustomerFeature {
  name: string;
  dtype: string;
}

/**
 * The feature repo the features specs and benchmarks apply (`POST /feature-repo/apply`, one
 * YAML document set): entity `customer` (join key `customer_id`, INT64), a push source
 * `<prefix>_push` whose schema is `customer_id`, `event_timestamp` (TIMESTAMP) and `features`,
 * and a feature view `<prefix>_stats` over dataset `datasetName` and that push source, with
 * the same `features`, TTL `ttlSeconds` (seconds; 0 = no TTL) and time column `event_timestamp`.
 * Returns the YAML text (documents separated by `---`, newline-terminated), so a caller can
 * append more documents (a feature service, …) after a `---` line.
 */
export function customerFeatureRepoYaml(opts: { prefix: string; datasetName: string; ttlSeconds: number; features: readonly CustomerFeature[] }): string {
  const fields = opts.features.map((f) => `  - { name: ${f.name}, dtype: ${f.dtype} }`).join('\n');
  return `kind: Entity
name: customer
joinKey: customer_id
valueType: INT64
---
kind: PushSource
name: ${opts.prefix}_push
schema:
  - { name: customer_id, dtype: INT64 }
  - { name: event_timestamp, dtype: TIMESTAMP }
${fields}
timestampField: event_timestamp
---
kind: FeatureView
name: ${opts.prefix}_stats
entities: [customer_id]
ttlSeconds: ${opts.ttlSeconds}
source: { datasetName: ${opts.datasetName} }
timestampField: event_timestamp
pushSource: ${opts.prefix}_push
features:
${fields}
`;
}

/**
 * `count` numbered features `f0 … f<count-1>` for {@link customerFeatureRepoYaml}, every third
 * (f0, f3, …) INT64 and the others FLOAT64: the shape the online benchmarks store.
 */
export function numberedCustomerFeatures(count: number): CustomerFeature[] {
  return Array.from({ length: count }, (_, i) => ({ name: `f${i}`, dtype: i % 3 === 0 ? 'INT64' : 'FLOAT64' }));
}
