# One image for every service (docker-compose picks the entry point).
FROM node:24-slim
WORKDIR /app
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile && pnpm exec tsc -b
