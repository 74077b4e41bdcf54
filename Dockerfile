# syntax=docker/dockerfile:1
# fake-jelou in a container, for test suites in any language: docker build -t fake-jelou . && docker run -p 4010:4010 fake-jelou
# Without an engine, npm run test:package runs this file's steps: the build stage's npm pack makes the tarball it tests,
# and test/package/container.test.ts runs the runtime stage (COPY, RUN, ENV, HEALTHCHECK, ENTRYPOINT) on it. The
# docker job of .github/workflows/ci.yml builds the image and smoke-tests it.

# Build: the tarball npm would publish (npm pack runs the prepack build).
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN mkdir -p /pkg && npm pack --pack-destination /pkg && mv /pkg/fake-jelou-*.tgz /pkg/fake-jelou.tgz

# Runtime: the tarball's files and its production dependencies at the lockfile's versions; no compiler, no dev tools.
FROM node:24-slim
WORKDIR /app
COPY --from=build /pkg/fake-jelou.tgz /src/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm tar -xzf fake-jelou.tgz --strip-components=1 && rm fake-jelou.tgz && npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# Every flag has an environment variable (fake-jelou --help); these two make the fake reachable through -p 4010:4010.
ENV NODE_ENV=production FAKE_JELOU_HOST=0.0.0.0 FAKE_JELOU_PORT=4010
USER node
EXPOSE 4010
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --start-interval=1s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.FAKE_JELOU_PORT + '/__admin/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The V8 flags of npm start, which keep memory low and flat under load (docs/performance.md).
ENTRYPOINT ["node", "--max-semi-space-size=1", "--heap-growing-percent=100", "/app/dist/cli.js"]
