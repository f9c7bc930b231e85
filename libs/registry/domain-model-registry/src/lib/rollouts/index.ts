export * from './rollouts.service';
export * from './rollouts.controller';
export * from './rollouts.module';
