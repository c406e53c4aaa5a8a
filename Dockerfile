FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json ./
RUN npm install --no-audit --no-fund --silent
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e . \
    && DJANGO_SETTINGS_MODULE=helpdesk.settings.prod SECRET_KEY=build-only python manage.py collectstatic --noinput
ENV DJANGO_SETTINGS_MODULE=helpdesk.settings.prod
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2"]
