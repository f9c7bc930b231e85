import type { FastifyInstance } from 'fastify';

/** Internal content type under which proxied artifact uploads reach the handler as a raw stream. */
export const RAW_ARTIFACT_CONTENT_TYPE = 'application/x-strata-mlflow-artifact';
/** Request header keeping the client's own `Content-Type` of a proxied upload. */
export const ORIGINAL_CONTENT_TYPE_HEADER = 'x-strata-original-content-type';

const UPLOAD_URL = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\//;

/**
 * Makes `PUT /api/2.0/mlflow-artifacts/artifacts/<path>` bodies reach the handler as the raw
 * request stream, whatever `Content-Type` the client sent (MLflow guesses one from the file
 * name: `application/json` for a `.json` file must not be parsed, nor buffered up to the JSON
 * body limit). Only that route is affected: an `onRequest` hook moves the client's content type
 * to {@link ORIGINAL_CONTENT_TYPE_HEADER} and sets {@link RAW_ARTIFACT_CONTENT_TYPE}, whose
 * parser passes the stream through. Idempotent.
 */
export function installRawArtifactUploads(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser(RAW_ARTIFACT_CONTENT_TYPE)) return;
  fastify.addContentTypeParser(RAW_ARTIFACT_CONTENT_TYPE, (_req, payload, done) => done(null, payload));
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'PUT' && UPLOAD_URL.test(request.url)) {
      const original = request.headers['content-type'];
      if (original !== undefined) request.headers[ORIGINAL_CONTENT_TYPE_HEADER] = original;
      request.headers['content-type'] = RAW_ARTIFACT_CONTENT_TYPE;
    }
    done();
  });
}
