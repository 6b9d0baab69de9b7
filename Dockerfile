FROM python:3.11-slim-bookworm

# WeasyPrint's system libraries, and fonts so PDFs render every script (Latin, Arabic, Devanagari, CJK, emoji).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo libopenjp2-7 libffi8 \
        fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fontconfig curl \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHON=python
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# Static files in production mode: hashed names, a manifest, and gzip/brotli copies (CompressedManifestStaticFilesStorage).
# The key and password below exist only for this build step; the running container gets its own from the environment.
RUN DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY=collectstatic-at-image-build-only-never-used-to-serve-requests-0123456789 \
    DJANGO_ALLOWED_HOSTS=build.invalid SIGNING_PKCS12_PASSWORD=build-only \
    python manage.py collectstatic --noinput \
    && test -f var/staticfiles/staticfiles.json

RUN useradd --create-home firstslice \
    && mkdir -p /app/var/media /app/var/run \
    && chown -R firstslice /app/var
USER firstslice
ENV CELERY_BEAT_SCHEDULE_FILE=/app/var/run/celerybeat-schedule
EXPOSE 8000
# scripts/entrypoint migrate|web|worker|beat|healthcheck ...; the same script the stack test runs.
ENTRYPOINT ["scripts/entrypoint"]
CMD ["web"]
