export * from './mlflow-artifacts.controller';
export * from './mlflow-artifacts.service';
export * from './mlflow-artifacts.paths';
export * from './mlflow-artifacts.raw-body';
export * from './registry-artifact-store';
