/** What differs between the serving specs' feature repos over the UCI Adult fixture. */
export interface AdultFeatureRepoOptions {
  /** Dataset the batch view and the training set read (the spec's unique dataset name). */
  dataset: string;
  /** Name of the training set definition. */
  trainingSet: string;
  /** Features of `person_profile` after `age` and `hours_per_week` (INT64), as YAML flow maps, e.g. `{ name: workclass, dtype: STRING }`. */
  moreProfileFeatures: readonly string[];
  /** Features of the `applicant_request` on-demand view (request fields `education` STRING, `capital_gain` FLOAT64), as YAML flow maps with an `expression`. */
  requestFeatures: readonly string[];
  /** Feature references of the training set, in column order (`view:feature`). */
  trainingFeatures: readonly string[];
}

/**
 * The feature repo (one YAML document stream) the serving specs apply over the UCI Adult fixture:
 * entity `person` (join key `person_id`, INT64); batch view `person_profile` over `dataset`
 * (TTL one year, event time `event_timestamp`) with `age`, `hours_per_week` and
 * `moreProfileFeatures`; on-demand view `applicant_request`; and a training set labelled by
 * `label`, with full feature names, whose entity rows are every row of the dataset by person id.
 */
export function adultFeatureRepoYaml(o: AdultFeatureRepoOptions): string {
  const list = (items: readonly string[]) => items.map((i) => `  - ${i}\n`).join('');
  return `kind: Entity
name: person
joinKey: person_id
valueType: INT64
---
kind: FeatureView
name: person_profile
entities: [person_id]
ttlSeconds: 31536000
source: { datasetName: ${o.dataset} }
timestampField: event_timestamp
features:
${list(['{ name: age, dtype: INT64 }', '{ name: hours_per_week, dtype: INT64 }', ...o.moreProfileFeatures])}---
kind: OnDemandFeatureView
name: applicant_request
requestSchema:
  - { name: education, dtype: STRING }
  - { name: capital_gain, dtype: FLOAT64 }
features:
${list(o.requestFeatures)}---
kind: TrainingSet
name: ${o.trainingSet}
source: { datasetName: ${o.dataset} }
eventTimestampColumn: event_timestamp
label: label
fullFeatureNames: true
entitySql: SELECT person_id, event_timestamp, education, capital_gain, label FROM source ORDER BY person_id
features:
${list(o.trainingFeatures)}`;
}
