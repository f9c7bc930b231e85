import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

/**
 * pino options for every service: JSON lines on stdout with `service`, `version`, `pid`,
 * ISO time, and the request id (`reqId`, taken from `x-request-id` or generated) on each line
 * logged while handling a request. Kafka consumers add `eventId` (ce_id) themselves.
 * Secrets never reach logs: authorization and cookie headers are redacted.
 */
export function createLoggerParams(service: string, version: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service, version, pid: process.pid },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      messageKey: 'msg',
      genReqId: (req: IncomingMessage) => {
        const header = req.headers['x-request-id'];
        return (Array.isArray(header) ? header[0] : header) ?? (req as { id?: string }).id ?? randomUUID();
      },
      customAttributeKeys: { reqId: 'requestId' },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
      autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
      serializers: {
        req: (req: { id?: string; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
