import fs from 'node:fs';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console-options';
import { resolveUiFile } from './static-files';

/**
 * `/health/live` (200 while the process runs), `/health/ready` (200 when the built app is in
 * `CONSOLE_UI_DIR`, else 503 naming the folder; the services' own health is shown by the
 * console's Platform page through the proxy), and every other GET: the single-page app's files,
 * with `index.html` for client-side routes (see {@link resolveUiFile}).
 */
@ApiExcludeController()
@Controller()
export class UiController {
  constructor(@Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions) {}

  @Get('health/live')
  live(): { status: 'ok'; service: 'console' } {
    return { status: 'ok', service: 'console' };
  }

  @Get('health/ready')
  ready(@Res() reply: FastifyReply): void {
    const built = resolveUiFile(this.options.uiDir, '/') !== undefined;
    void reply
      .status(built ? 200 : 503)
      .send({ status: built ? 'ok' : 'unavailable', service: 'console', checks: { ui: built ? { status: 'up' } : { status: 'down', error: `no built console in ${this.options.uiDir} (run: npx nx run console:build)` } } });
  }

  @Get('*')
  file(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const found = resolveUiFile(this.options.uiDir, req.url);
    if (found === null) {
      void reply.status(404).send({ error: `no console asset ${req.url.split('?')[0]}`, code: 'NOT_FOUND' });
      return;
    }
    if (!found) {
      void reply.status(503).send({ error: `the console is not built: no index.html in ${this.options.uiDir} (run: npx nx run console:build)`, code: 'UNAVAILABLE' });
      return;
    }
    void reply.status(200).header('content-type', found.contentType).header('cache-control', found.cacheControl).send(fs.createReadStream(found.file));
  }
}
