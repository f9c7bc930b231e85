# syntax=docker/dockerfile:1
# One image recipe for the six Strata services (ingestion, features, training, registry, serving,
# monitoring) and the web console (APP=console, PORT=3007). Build from the repository root, naming the service and its port:
#   docker build --build-arg APP=features --build-arg PORT=3002 -t strata/features .
# APP: the folder under apps/ (and the name tools/build/build-app.cjs builds);
# PORT: the port the service listens on (its <APP>_PORT default), exposed and healthchecked.
ARG APP
ARG PORT

FROM node:22-bookworm-slim AS build
ARG APP
RUN test -n "${APP}" || (echo "build-arg APP is required (e.g. --build-arg APP=features)" >&2; exit 1)
WORKDIR /src
ENV ONNXRUNTIME_NODE_INSTALL=skip NX_DAEMON=false
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY tools/build tools/build
COPY libs libs
COPY apps/${APP} apps/${APP}
# The console (APP=console) also builds its single-page app (libs/console/ui, Vite) into
# dist/console/dist/console-ui, i.e. /app/dist/console-ui at run time: its CONSOLE_UI_DIR default.
RUN node tools/build/build-app.cjs ${APP} \
 && if [ "${APP}" = console ]; then \
      node_modules/.bin/vite build -c libs/console/ui/vite.config.mjs --logLevel warn \
      && mkdir -p dist/console/dist && mv dist/console-ui dist/console/dist/console-ui; \
    fi \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ARG APP
ARG PORT
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 STRATA_DATA_DIR=/data STRATA_APP=${APP} STRATA_APP_PORT=${PORT}
COPY --from=build --chown=node:node /src/node_modules node_modules
COPY --from=build --chown=node:node /src/dist/${APP} ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.STRATA_APP_PORT+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["sh", "-c", "exec node --enable-source-maps apps/${STRATA_APP}/src/main.js"]
