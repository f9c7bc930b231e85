/**
 * @module @strata/monitoring/data-access
 *
 * The monitoring service's PostgreSQL schema: its TypeORM entities and checked-in migrations
 * (including the messaging outbox/inbox tables). Only the monitoring service imports this lib
 * (module boundaries: scope:monitoring).
 */
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@strata/messaging';
import { FeedbackEntity } from './entities/feedback.entity';
import { PredictionEntity } from './entities/prediction.entity';
import { ReferenceProfileEntity } from './entities/reference-profile.entity';
import { WindowReportEntity } from './entities/window-report.entity';
import { Monitoring1733200000000 } from './migrations/1733200000000-monitoring';
import { MonitoringAggregates1733300000000 } from './migrations/1733300000000-monitoring-aggregates';
import { MonitoringRolloutCutoff1733400000000 } from './migrations/1733400000000-monitoring-rollout-cutoff';
import { MonitoringSegments1765060000000 } from './migrations/1765060000000-monitoring-segments';
import { MonitoringWindowStableSince1765095000000 } from './migrations/1765095000000-monitoring-window-stable-since';

export { PredictionEntity } from './entities/prediction.entity';
export { FeedbackEntity } from './entities/feedback.entity';
export { ReferenceProfileEntity } from './entities/reference-profile.entity';
export { WindowReportEntity } from './entities/window-report.entity';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const MONITORING_SCHEMA = 'monitoring';
/** Every entity of the schema (TypeORM), messaging outbox/inbox included. */
export const MONITORING_ENTITIES: EntityList = [...MESSAGING_ENTITIES, PredictionEntity, FeedbackEntity, ReferenceProfileEntity, WindowReportEntity];
/** Every migration, in order (messaging tables first). */
export const MONITORING_MIGRATIONS: EntityList = [...MESSAGING_MIGRATIONS, Monitoring1733200000000, MonitoringAggregates1733300000000, MonitoringRolloutCutoff1733400000000, MonitoringSegments1765060000000, MonitoringWindowStableSince1765095000000];
