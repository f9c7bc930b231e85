export { DatasetsModule } from './datasets.module';
export type { DatasetsModuleOptions } from './datasets.module-options';
export { DatasetsService, toAppError, type VersionSource } from './datasets.service';
export { DatasetsController } from './datasets.controller';
export { DATASET_INGESTOR, DATASETS_OPTIONS, UPLOAD_CONTENT_TYPES } from './datasets.constants';
export { registerFileBodySchema, uploadQuerySchema, type DatasetDto, type DatasetVersionDto } from './datasets.dto';
export { progressStream, type UploadProgress } from './upload-progress';
