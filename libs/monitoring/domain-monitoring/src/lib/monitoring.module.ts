import * as path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { LocalObjectStore, OBJECT_STORE } from '@strata/shared/data-access-object-store';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.constants';
import { ModelFactsConsumer } from './model-facts.consumer';
import { MonitoringConsumer } from './monitoring.consumer';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';
import { AggregationService } from './aggregation.service';
import { ReferenceProfileService } from './reference-profile.service';
import { RolloutGuardService } from './rollout-guard.service';
import { MonitoringRegistryClient } from './registry.client';
import { SegmentConfigService } from './segment-config.service';
import { SegmentsController } from './segments.controller';
import { SegmentsService } from './segments.service';

/**
 * The monitoring feature: prediction/feedback intake, reference profiles, windows, alerts,
 * gauges. Needs `PlatformModule` and `MessagingModule` in the app.
 */
@Module({})
export class MonitoringModule {
  static forRoot(options: MonitoringOptions): DynamicModule {
    return {
      module: MonitoringModule,
      controllers: [MonitoringController, SegmentsController],
      providers: [
        { provide: MONITORING_OPTIONS, useValue: options },
        { provide: OBJECT_STORE, useFactory: () => new LocalObjectStore(path.resolve(options.dataDir)) },
        MonitoringRegistryClient,
        ReferenceProfileService,
        SegmentConfigService,
        AggregationService,
        MonitoringService,
        SegmentsService,
        RolloutGuardService,
        MonitoringConsumer,
        ModelFactsConsumer,
      ],
      exports: [MonitoringService, AggregationService, RolloutGuardService, SegmentsService, SegmentConfigService],
    };
  }
}
