# syntax=docker/dockerfile:1
# The seed's Docker deployment, adapted: the TypeScript is bundled into dist/main.js in a build stage, better-sqlite3
# compiles from source (python3, make, g++ in the build stage only), the runtime runs as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY scripts ./scripts
COPY src ./src
RUN npm run build
# Production dependencies only, compiled here where the toolchain is; copied as they are into the runtime.
RUN npm ci --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=5000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The node image's unprivileged user; ./data is only written with SQLite (no JWT_SECRET file in production).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 5000
# Liveness only (readiness, /health/ready, is for the load balancer): node's fetch, no curl in the slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm start), so that SIGTERM from `docker stop` reaches the graceful shutdown.
CMD ["node", "dist/main.js"]
