# Production image: the gateway only. The store is MongoDB (MONGODB_URI); no JVM is needed here.
FROM node:20-bookworm-slim
# WhatsApp on a linked phone (whatsapp-web.js) drives Debian's Chromium: `docker build --build-arg WHATSAPP_WEB=1 .`
ARG WHATSAPP_WEB=0
RUN if [ "$WHATSAPP_WEB" = "1" ]; then apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
ENV NODE_ENV=production
# puppeteer (behind whatsapp-web.js) must never download its own browser, whatever npm version runs the install.
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json .puppeteerrc.cjs ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY conversations ./conversations
COPY knowledge ./knowledge
COPY tsconfig.json ./
# DATA_DIR: linked WhatsApp Web sessions live here (mount a volume to keep them across container restarts).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "bin/switchboard.js", "start"]
