import { MlflowModelsController } from './mlflow-models.controller';
import { MlflowTrackingController } from './mlflow-tracking.controller';
import { MlflowVersionsController } from './mlflow-versions.controller';

/** Every controller of the MLflow API, for the registry module's `controllers`. */
export const MLFLOW_CONTROLLERS = [MlflowTrackingController, MlflowModelsController, MlflowVersionsController];
