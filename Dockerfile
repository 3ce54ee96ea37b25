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
CMD ["gunicorn", "ecosystem.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
