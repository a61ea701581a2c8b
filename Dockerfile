# syntax=docker/dockerfile:1
# One recipe, one image per service: `docker build --build-arg SERVICE=merge --build-arg PORT=3004 .` (the
# compose file builds each service this way). The runtime image holds only that service's `pnpm deploy --prod`
# folder (its production dependencies and our libs), runs as a non-root user, and has node itself as the
# process that gets SIGTERM (exec-form CMD, no shell in between): the services stop cleanly on it.
FROM node:24-slim AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<generator|speed|batch|merge|admin>" && false)
WORKDIR /repo
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile \
  && pnpm exec tsc -b \
  && pnpm --filter "@lk/${SERVICE}" deploy --legacy --prod /out \
  && cp pipelines.yaml /out/pipelines.yaml

FROM node:24-slim AS runtime
ARG SERVICE
ARG PORT=3000
ENV NODE_ENV=production \
    LK_SERVICE=${SERVICE} \
    LK_PORT=${PORT}
WORKDIR /app
COPY --from=build --chown=node:node /out ./
USER node
# no EXPOSE: the port is the service's own (build arg PORT, <SERVICE>_PORT at run time); compose publishes it
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD ["node", "-e", "const s=process.env.LK_SERVICE.toUpperCase(); fetch(`http://127.0.0.1:${process.env[s+'_PORT']||process.env.LK_PORT}/health`).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
