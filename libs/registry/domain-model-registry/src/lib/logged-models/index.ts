export * from './logged-models.controller';
export * from './logged-models.service';
