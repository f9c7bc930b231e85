export * from './consume-event.decorator';
export * from './dead-letters.controller';
export * from './messaging-health';
export * from './messaging.constants';
export * from './messaging.module';
