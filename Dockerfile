# Partnerlab API image (also used by the projection worker: `partnerlab project`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PARTNERLAB_HOST=0.0.0.0 \
    PARTNERLAB_PORT=8000 \
    PARTNERLAB_SQLITE_PATH=/data/partnerlab.sqlite3

RUN groupadd --system --gid 10001 partnerlab \
    && useradd --system --uid 10001 --gid partnerlab --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin partnerlab \
    && mkdir -p /data \
    && chown partnerlab:partnerlab /data

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

USER partnerlab

EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["partnerlab", "serve"]
