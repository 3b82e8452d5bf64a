# syntax=docker/dockerfile:1
# Claude Relay Service image. The build stage installs every dependency, compiles the relay (and the web UI:
# whatever `npm run build` puts in dist/) and builds the native better-sqlite3 module; the runtime stage keeps
# only dist/ and the production node_modules, runs as the unprivileged `node` user, and checks /health.
# Intranet builds (build.sh options, or the same variables in .env for `./deploy.sh start`): NODE_IMAGE (a base image
# from an internal registry), DEBIAN_MIRROR, NPM_REGISTRY, and CA certificates in certs/ (TLS-inspecting proxies).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG DEBIAN_MIRROR=
ARG NPM_REGISTRY=
# Before anything is downloaded: extra CAs trusted by apt and npm, apt pointed at the Debian mirror, npm at the
# npm mirror (scripts/build-env.sh; each is skipped when not given).
COPY scripts/build-env.sh /usr/local/bin/crs-build-env
COPY certs/ /tmp/certs/
RUN crs-build-env --certs /tmp/certs
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/crs-extra-ca.pem
# A toolchain for native modules: better-sqlite3 compiles from source when no prebuilt binary can be fetched
# (always the case inside an intranet), against the headers the Node image ships (npm_config_nodedir).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node -e 'const D = require("better-sqlite3"); new D(":memory:").close()'

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    BIND_HOST=0.0.0.0 \
    PORT=3000 \
    NODE_EXTRA_CA_CERTS=/etc/ssl/crs-extra-ca.pem
WORKDIR /app
# The extra CAs of the build (empty when none): upstream calls through a TLS-inspecting proxy verify against them.
COPY --from=build /etc/ssl/crs-extra-ca.pem /etc/ssl/crs-extra-ca.pem
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# `crs` on the PATH (docker compose exec claude-relay-service crs status); data folders the node user owns
# (bind mounts replace them: deploy.sh makes the host folders writable for the container's user).
RUN chmod +x dist/cli/main.js \
 && ln -s /app/dist/cli/main.js /usr/local/bin/crs \
 && mkdir -p /app/data/app /app/data/logs /app/data/backups \
 && chown -R node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
