# pinwatch on the current Node.js LTS. Build: docker build -t pinwatch .
# Run the main job (as `npm start`): docker run --rm -v pinwatch-var:/app/var pinwatch
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY test ./test
# `npm ci` runs the prepare step, which compiles TypeScript into dist/.
RUN npm ci --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY config ./config
COPY demo ./demo
RUN mkdir -p /app/var && chown node:node /app/var
USER node
VOLUME ["/app/var"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run"]
