# Image for the example services (examples/orders, examples/payments) and the tracewire CLI.
# Build context: the repository root (see docker-compose.yml). Ignore rules:
# service.Dockerfile.dockerignore (BuildKit reads <Dockerfile>.dockerignore next to the Dockerfile).
FROM node:20-bookworm-slim

RUN corepack enable && corepack prepare pnpm@9.15.9 --activate

WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build

# The image's own files under /var/log (dpkg.log, apt/…) are not tracewire lines; the shared
# volume is mounted there without copying them (volume.nocopy), and they are removed here too so
# Fluentd's /var/log/*.log only ever sees service logs.
RUN rm -rf /var/log/*

# Which example to run: orders or payments.
ARG SERVICE=orders
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec pnpm --dir examples/${SERVICE} start"]
