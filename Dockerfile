# syntax=docker/dockerfile:1.7
# One image per app: docker build --build-arg APP=gateway -t widget-api/gateway .
# APP is one of the folders in apps/ (gateway, realtime, session, team, conversation, knowledge, forms, events, integrations),
# or server: the one-process mode, every app in one process (docker-compose.small.yml, docs/deployment.md "One process").
ARG NODE_IMAGE=node:20-alpine

# ---- build: every dependency (dev included), compile the app and the libs it uses
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Manifests first, so `npm ci` is cached until a dependency changes (test/deployment.spec.ts checks this list is complete).
COPY package.json package-lock.json .npmrc turbo.json tsconfig.base.json ./
COPY libs/common/package.json libs/common/
COPY libs/contracts/package.json libs/contracts/
COPY libs/testing/package.json libs/testing/
COPY libs/sdk/package.json libs/sdk/
COPY apps/gateway/package.json apps/gateway/
COPY apps/widget/package.json apps/widget/
COPY apps/realtime/package.json apps/realtime/
COPY apps/session/package.json apps/session/
COPY apps/team/package.json apps/team/
COPY apps/conversation/package.json apps/conversation/
COPY apps/knowledge/package.json apps/knowledge/
COPY apps/forms/package.json apps/forms/
COPY apps/events/package.json apps/events/
COPY apps/integrations/package.json apps/integrations/
COPY apps/inbox/package.json apps/inbox/
COPY apps/server/package.json apps/server/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY libs libs
COPY apps apps
# scripts/seed.js and scripts/nats-config.js run from the gateway image (compose's seed and nats-config one-shots).
COPY scripts scripts
ARG APP
RUN test -n "$APP" && test -d "apps/$APP" || (echo "build with --build-arg APP=<one of: $(ls apps | tr '\n' ' ')>" && exit 1)
RUN npx turbo run build --filter=@widget/${APP} --filter=@widget/widget --filter=@widget/inbox
# What the runtime image takes of apps/: only compiled output, of APP (of every app for APP=server, which imports
# them all) and of the page sets the gateway serves (widget, inbox); no sources, no nested dev dependencies.
RUN for dir in apps/*/; do name=$(basename "$dir"); keep=none; \
      if [ "$APP" = server ] || [ "$name" = "$APP" ] || [ "$name" = widget ] || [ "$name" = inbox ]; then keep=dist; fi; \
      find "$dir" -mindepth 1 -maxdepth 1 ! -name "$keep" ! -name package.json -exec rm -rf {} +; \
    done

# ---- deps: production dependencies of this app only (its workspace libs come as links)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json /src/.npmrc ./
COPY --from=build /src/libs/common/package.json libs/common/
COPY --from=build /src/libs/contracts/package.json libs/contracts/
COPY --from=build /src/libs/testing/package.json libs/testing/
COPY --from=build /src/libs/sdk/package.json libs/sdk/
COPY --from=build /src/apps apps-manifests
ARG APP
# npm ci wants every workspace's manifest present, not its sources.
RUN for dir in apps-manifests/*/; do name=$(basename "$dir"); mkdir -p "apps/$name" && cp "$dir/package.json" "apps/$name/"; done && rm -rf apps-manifests
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --workspace "apps/${APP}"

# ---- runtime: node, production node_modules, compiled JS; no compiler, no sources, not root
FROM ${NODE_IMAGE} AS runtime
ARG APP
ENV NODE_ENV=production APP=${APP}
WORKDIR /app
# Manifests and node_modules (hoisted at the root, nested where versions differ) as npm laid them out.
COPY --from=deps --chown=node:node /app ./
COPY --from=build --chown=node:node /src/libs/common/dist libs/common/dist
COPY --from=build --chown=node:node /src/libs/contracts/dist libs/contracts/dist
# apps/ as the build stage pruned it: APP's dist (every app's for server), and the browser face the gateway serves
# (widget: loader, frame UI, the demo page set served only with DEMO_MODE=true; inbox), built for every APP (the
# gateway depends on them; a few hundred kB in the other images).
COPY --from=build --chown=node:node /src/apps apps
COPY --from=build --chown=node:node /src/libs/sdk/dist libs/sdk/dist
# scripts/seed.js talks HTTP only (no dependencies); the compose `seed` one-shot runs it from the gateway image,
# and `nats-config` runs scripts/nats-config.js (it needs only @widget/common and @widget/contracts).
COPY --from=build --chown=node:node /src/scripts scripts
# A fixed entry point, so CMD is exec form (node is PID 1 and receives SIGTERM itself) for every APP.
RUN ln -s "apps/${APP}/dist/main.js" main.js
# Mount point of compose's nats-config volume (scripts/nats-config.js writes nats-server's users there as node).
RUN mkdir /nats-config && chown node:node /nats-config
USER node
EXPOSE 3000 3001 8080
CMD ["node", "main.js"]
