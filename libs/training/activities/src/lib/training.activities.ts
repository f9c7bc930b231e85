import { mapErrors } from './activity-errors';
import { type ActivityScope, type TrainingActivitiesDeps } from './activity-runtime';
import { createEvaluateActivities } from './evaluate.activities';
import { peerServices } from './peer-services';
import { createRegisterActivities } from './register.activities';
import { createRetrainingActivities } from './retraining.activities';
import { createRunRecordActivities } from './run-records.activities';
import { RunTracker } from './run-tracking';
import { createTrainActivities } from './train.activities';
import { createTrainingSetActivities } from './training-set.activities';

export { COMMAND_TRAINER_PREFIX, trainingRunId, type ActivityLogger, type TrainingActivitiesDeps } from './activity-runtime';

/**
 * Temporal activities of the training workflow, bound to their dependencies (as in
 * samples-typescript `activities-dependency-injection`), one factory per concern:
 *
 * | concern | file | activities |
 * |---|---|---|
 * | training set | `training-set.activities.ts` | resolveInputs, buildTrainingSet |
 * | train | `train.activities.ts` | trainModel (built-in or external command trainer) |
 * | evaluate | `evaluate.activities.ts` | evaluateModel |
 * | register | `register.activities.ts` | registerModelVersion, setModelAlias |
 * | tracking (run records) | `run-records.activities.ts` | recordRunCompleted/Failed/Cancelled/Registered, recordSearchFinished |
 * | retraining | `retraining.activities.ts` | prepareRetraining, recordRetrainingFinished, triggerRetraining |
 *
 * Calls to ingestion, features and the registry go through the one typed client
 * (`peer-services.ts`). Every activity maps errors with {@link mapErrors}: `AppError` with
 * `retryable: false` → non-retryable `ApplicationFailure` whose `type` is the error code.
 */
export function createTrainingActivities(deps: TrainingActivitiesDeps) {
  const scope: ActivityScope = {
    deps,
    peers: peerServices(deps),
    tracker: new RunTracker(deps.dataSource, deps.registryUrl, deps.logger),
  };
  const trainingSet = createTrainingSetActivities(scope);
  const train = createTrainActivities(scope);
  const evaluate = createEvaluateActivities(scope);
  const register = createRegisterActivities(scope);
  const records = createRunRecordActivities(scope);
  const retraining = createRetrainingActivities(scope);
  return {
    recordRunRegistered: mapErrors(records.recordRunRegistered),
    recordSearchFinished: mapErrors(records.recordSearchFinished),
    prepareRetraining: mapErrors(retraining.prepareRetraining),
    setModelAlias: mapErrors(register.setModelAlias),
    recordRetrainingFinished: mapErrors(retraining.recordRetrainingFinished),
    triggerRetraining: mapErrors(retraining.triggerRetraining),
    resolveInputs: mapErrors(trainingSet.resolveInputs),
    buildTrainingSet: mapErrors(trainingSet.buildTrainingSet),
    trainModel: mapErrors(train.trainModel),
    evaluateModel: mapErrors(evaluate.evaluateModel),
    registerModelVersion: mapErrors(register.registerModelVersion),
    recordRunCompleted: mapErrors(records.recordRunCompleted),
    recordRunFailed: mapErrors(records.recordRunFailed),
    recordRunCancelled: mapErrors(records.recordRunCancelled),
  };
}

/** The activity object the worker registers. */
export type TrainingActivitiesImpl = ReturnType<typeof createTrainingActivities>;
