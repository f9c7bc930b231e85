import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { DeadLetterService, type DeadLetter, type DeadLetterTopicSummary, type ReplayResult } from '../core/dead-letters';
import { MessagingError, MessagingErrorCode } from '../core/errors';
import { RequirePermission } from '@strata/shared/auth';

const ReplayBody = z.object({
  topic: z.string().min(1),
  offsets: z.array(z.union([z.string().regex(/^(\d+:)?\d+$/), z.number().int().min(0)])).optional(),
});

function badRequest(err: unknown): never {
  if (err instanceof MessagingError && err.code === MessagingErrorCode.DEAD_LETTER_REQUEST_INVALID) {
    throw new BadRequestException({ code: err.code, message: err.message });
  }
  throw err;
}

/**
 * HTTP access to dead letters (contracts: `platformApi(service)` of `@strata/contracts/api`):
 * - `GET /dead-letters/topics` → `[{topic, dlqTopic, records}]`: the dead-letter topics holding records;
 * - `GET /dead-letters?topic=<topic>[&limit=N]` → `DeadLetter[]` (oldest first);
 * - `POST /dead-letters/replay` body `{ topic, offsets? }` → `ReplayResult`.
 * 400 when the topic or an offset is invalid.
 */
@Controller('dead-letters')
export class DeadLetterController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  @RequirePermission('dead-letters', 'read')
  async list(@Query('topic') topic?: string, @Query('limit') limit?: string): Promise<DeadLetter[]> {
    if (!topic) throw new BadRequestException({ code: MessagingErrorCode.DEAD_LETTER_REQUEST_INVALID, message: "query parameter 'topic' is required" });
    const n = limit === undefined ? 1000 : Number(limit);
    if (!Number.isInteger(n) || n < 1) {
      throw new BadRequestException({ code: MessagingErrorCode.DEAD_LETTER_REQUEST_INVALID, message: "query parameter 'limit' must be a positive integer" });
    }
    return this.deadLetters.list(topic, n).catch(badRequest);
  }

  @Get('topics')
  @RequirePermission('dead-letters', 'read')
  topics(): Promise<DeadLetterTopicSummary[]> {
    return this.deadLetters.topics();
  }

  @Post('replay')
  @HttpCode(200)
  @RequirePermission('dead-letters', 'write')
  async replay(@Body() body: unknown): Promise<ReplayResult> {
    const parsed = ReplayBody.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException({
        code: MessagingErrorCode.DEAD_LETTER_REQUEST_INVALID,
        message: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
      });
    }
    return this.deadLetters.replay(parsed.data.topic, parsed.data.offsets).catch(badRequest);
  }
}
