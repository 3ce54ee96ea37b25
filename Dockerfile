# The web, worker and beat image for docker-compose.yml, built on the official Python image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ecosystem.settings.production

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
# collectstatic needs settings to load, not real secrets or servers.
RUN DJANGO_SECRET_KEY=collectstatic DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost \
    DATABASE_APP_PASSWORD=x DATABASE_OWNER_PASSWORD=x DATABASE_PLATFORM_PASSWORD=x \
    python manage.py collectstatic --no-input -v 0 \
 && useradd --system --uid 10001 --home /app prm && chown -R prm /app
USER prm

EXPOSE 8000
# Threaded workers with keep-alive: on 2 cores they served 2.5x what sync workers did (bench/api_load.py,
# docs/operator.md). One worker per core (WEB_CONCURRENCY, read by gunicorn), 5 threads each: every
# thread keeps its database connection (CONN_MAX_AGE), so size PostgreSQL's max_connections for it.
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "ecosystem.wsgi", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--threads", "5", \
     "--access-logfile", "-"]
