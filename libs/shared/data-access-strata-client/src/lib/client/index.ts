export * from './errors';
export * from './service-client';
