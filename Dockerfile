FROM python:3.11-slim-bookworm

# WeasyPrint's system libraries, and fonts so PDFs render every script (Latin, Arabic, Devanagari, CJK, emoji).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo libopenjp2-7 libffi8 \
        fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fontconfig curl \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_DEBUG=true python manage.py collectstatic --noinput

RUN useradd --create-home firstslice && mkdir -p /app/var/media && chown -R firstslice /app/var
USER firstslice
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
