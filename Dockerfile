# Todo Chatbot: one image for every command (serve, migrate, purge-trash, keygen, token).
# Default command: `todo-chatbot serve` on 0.0.0.0:8000 as user 10001 (docs/operations.md).
#
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) \
#     -t todo-chatbot:0.1.0 .
#
# Two stages: the first installs the package and its dependencies into a virtual
# environment; the second copies only that environment, so no wheel, build tool or pip
# cache reaches a layer of the image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
RUN python -m venv /opt/todo-chatbot \
 && /opt/todo-chatbot/bin/pip install . \
 && /opt/todo-chatbot/bin/pip uninstall --yes pip setuptools \
 && find /opt/todo-chatbot -name '*.whl' -delete

FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="todo-chatbot" \
      org.opencontainers.image.description="Self-hostable backend for managing todo tasks by conversation: REST, chat agent, MCP." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"
ENV PATH=/opt/todo-chatbot/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    AUTH_SIGNING_KEY_FILE=/app/var/signing-key.pem \
    DATABASE_URL=sqlite+aiosqlite:////app/var/todo.db
RUN groupadd --system --gid 10001 todo \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin todo \
 && mkdir -p /app/var \
 && chown 10001:10001 /app/var
COPY --from=build /opt/todo-chatbot /opt/todo-chatbot
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# /health answers whatever the Host header (ALLOWED_HOSTS does not apply to probes).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4).status != 200)"
CMD ["todo-chatbot", "serve"]
