# pinwatch on the current Node.js LTS (26, "Lithium", Active LTS since October 2026;
# its images are built on Debian 13 trixie). Build: docker build -t pinwatch .
# Run the daemon (as `npm start`, dashboard on :8080):
#   docker run --rm -p 8080:8080 -v pinwatch-var:/app/var pinwatch
# Other commands: docker run --rm -v pinwatch-var:/app/var pinwatch poll --once
FROM node:26-trixie-slim AS build
# better-sqlite3 falls back to compiling SQLite when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY test ./test
COPY scripts ./scripts
# `npm ci` runs the prepare step, which compiles TypeScript into dist/; the
# native SQLite binding is built here once and carried over below.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:26-trixie-slim
# git reads and mirrors public-inbox epochs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
COPY demo ./demo
RUN mkdir -p /app/var && chown node:node /app/var
USER node
VOLUME ["/app/var"]
# SIGTERM lets the polls in flight commit the message in hand before exiting.
STOPSIGNAL SIGTERM
EXPOSE 8080
# The daemon's /healthz: 503 when the database cannot be read (no curl in the slim image: Node's fetch).
HEALTHCHECK --interval=1m --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run", "--config", "config/docker.yaml"]
