# syntax=docker/dockerfile:1
# media-toolkit image: Node 20, ffmpeg, rclone, the toolkit, and a k6 built with xk6.
#
# Add xk6 extensions at build time, for example:
#   docker build --build-arg XK6_EXTENSIONS="--with github.com/grafana/xk6-dashboard@latest" -t media-toolkit .

ARG K6_VERSION=v2.2.0
ARG NODE_VERSION=20

# Stage 1: k6 with xk6 on Go 1.26.
FROM golang:1.26-bookworm AS k6-build
ARG K6_VERSION
ARG XK6_EXTENSIONS=""
RUN go install go.k6.io/xk6/cmd/xk6@latest
WORKDIR /build
RUN xk6 build "${K6_VERSION}" --output /build/k6 ${XK6_EXTENSIONS}

# Stage 2: the toolkit's dependencies and bundles.
FROM node:${NODE_VERSION}-bookworm-slim AS app-build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN node build.mjs && npm prune --omit=dev

# Final stage: Node 20, ffmpeg, rclone, the toolkit and that k6.
FROM node:${NODE_VERSION}-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg rclone ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=k6-build /build/k6 /usr/local/bin/k6
COPY --from=app-build /app /app
RUN ln -s /app/bin/media-toolkit.js /usr/local/bin/media-toolkit
ENV K6_BIN=/usr/local/bin/k6 NODE_ENV=production
WORKDIR /work
ENTRYPOINT ["node", "/app/bin/media-toolkit.js"]
CMD ["--help"]
