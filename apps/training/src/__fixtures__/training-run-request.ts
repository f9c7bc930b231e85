/**
 * The `POST /training-runs` body the training service's int specs send: a logistic regression
 * (`trainer` and its `params`; default the built-in `logistic_regression` with L2 0.001) on the
 * `big_tipper` training set over dataset version `nyc_taxi_trips@v1`, evaluated with a time split
 * at 2020-01-17T00:00:00Z, for `modelName`, idempotent by `requestId`. Whether a run then starts
 * depends on the spec's fake peers.
 */
export function logisticRegressionRunRequest(modelName: string, requestId: string, trainer: { trainer: string; params: Record<string, unknown> } = { trainer: 'logistic_regression', params: { l2: 0.001 } }) {
  return {
    modelName,
    trainer: trainer.trainer,
    params: trainer.params,
    trainingSet: 'big_tipper',
    trainDatasetVersions: [{ datasetName: 'nyc_taxi_trips', versionId: 'v1' }],
    evaluation: { splitTime: '2020-01-17T00:00:00Z' },
    requestId,
  };
}
