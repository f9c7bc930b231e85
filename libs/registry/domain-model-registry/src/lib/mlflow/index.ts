/** The MLflow REST API 2.0 subset: controllers, request parsing, JSON shapes, error mapping, filter grammar. */
export * from './mlflow-errors';
export * from './mlflow-json';
export * from './mlflow-filter';
export * from './mlflow-tracking.controller';
export * from './mlflow-models.controller';
export * from './mlflow-versions.controller';
export * from './mlflow-schemas';
export { MLFLOW_CONTROLLERS } from './mlflow.controllers';
