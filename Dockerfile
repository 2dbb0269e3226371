# Production image: the gateway only. The store is MongoDB (MONGODB_URI); no JVM is needed here.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY conversations ./conversations
COPY knowledge ./knowledge
COPY tsconfig.json ./
USER node
EXPOSE 3000
CMD ["node", "bin/switchboard.js", "start"]
