# syntax=docker/dockerfile:1
FROM node:26.10.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:26.10.0-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY bot ./bot
COPY migrations ./migrations
USER node
EXPOSE 4000
CMD ["node", "--import", "tsx", "src/main.ts"]
