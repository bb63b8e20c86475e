# syntax=docker/dockerfile:1
# Gatehouse server image. Three stages on one pinned base (same Debian and glibc everywhere, so
# the native modules compiled or downloaded in one stage run in the next):
#   deps    production node_modules only (better-sqlite3 compiled here, sharp's prebuilt binaries)
#   build   every dependency, then the esbuild bundle in dist/
#   runtime node_modules from deps, dist/ and static assets from build; no compiler, no npm run
# Bump NODE_IMAGE to move to a newer Node LTS; pin it by digest too if your registry policy asks.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches. npm is pinned to the version
# that honours package.json's allowScripts (only better-sqlite3 and esbuild run install scripts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g npm@11.19.1 \
 && npm cache clean --force
ENV SCARF_ANALYTICS=false \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false

FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
 && npm cache clean --force

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/rotate-keys.ts ./scripts/
COPY bench/bare-server.ts ./bench/
COPY src ./src
COPY config ./config
COPY vite.config.ts ./
COPY web ./web
# The bundle reads pages and the password list from src/ at run time (src/config/paths.ts), and
# the plan table from config/: stage every non-TypeScript file of src/, and config/, with the
# bundle (the server and the built web app, dist/web) and package.json, which marks the root.
RUN node scripts/build.mjs \
 && mkdir -p /out \
 && cp -r package.json dist config /out/ \
 && find src -type f ! -name '*.ts' -exec cp --parents {} /out/ \;

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Code stays owned by root and read-only to the app; the only folders it writes are DATA_DIR
# (SQLite, keys, blobs of the embedded adapters) and /tmp, so the container runs with
# --read-only plus a volume on /data and a tmpfs on /tmp.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
RUN mkdir -p /data && chown node:node /data
# The node user of the official image (uid 1000), by number so runAsNonRoot policies can check it.
USER 1000:1000
EXPOSE 3000
# App Runner probes /health itself; this check serves docker run and compose. Node's fetch, no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself (src/server.ts closes the server and the adapters, and
# exits within 10 s, inside App Runner's and docker stop's grace periods). It starts no child
# processes, so there is nothing for an init to reap. The flags cap V8's young generation and turn
# off its mid-tier compiler (idle memory; the same as `npm start`, bench/servers.ts says why).
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=8", "--no-maglev", "dist/server.js"]
