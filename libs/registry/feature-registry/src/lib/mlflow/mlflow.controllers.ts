import { MlflowRegistryController } from './mlflow-registry.controller';
import { MlflowTrackingController } from './mlflow-tracking.controller';

/** Every controller of the MLflow API, for the registry module's `controllers`. */
export const MLFLOW_CONTROLLERS = [MlflowTrackingController, MlflowRegistryController];
