/**
 * The `POST /training-runs` body the training service's int specs send: the built-in logistic
 * regression (L2 0.001) on the `big_tipper` training set over dataset version
 * `nyc_taxi_trips@v1`, evaluated with a time split at 2020-01-17T00:00:00Z, for `modelName`,
 * idempotent by `requestId`. Whether a run then starts depends on the spec's fake peers.
 */
export function logisticRegressionRunRequest(modelName: string, requestId: string) {
  return {
    modelName,
    trainer: 'logistic_regression',
    params: { l2: 0.001 },
    trainingSet: 'big_tipper',
    trainDatasetVersions: [{ datasetName: 'nyc_taxi_trips', versionId: 'v1' }],
    evaluation: { splitTime: '2020-01-17T00:00:00Z' },
    requestId,
  };
}
