import type { StrataService } from '@strata/contracts/api';

/** The six services the console reaches, in the order the console lists them. */
export const CONSOLE_SERVICES: readonly StrataService[] = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

/** What the console module needs (from apps/console/src/config.ts). */
export interface ConsoleOptions {
  /** Base URL of each service (`<SERVICE>_URL`), e.g. `{ registry: 'http://127.0.0.1:3004' }`. */
  serviceUrls: Record<StrataService, string>;
  /** Deadline of one proxied call, ms: no answer by then → 504 naming the service. */
  proxyTimeoutMs: number;
  /** Folder of the built single-page app (index.html + assets/), e.g. `dist/console-ui`. */
  uiDir: string;
}

export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');
