# syntax=docker/dockerfile:1
# check=skip=SecretsUsedInArgOrEnv
# (The only "secret" build arg is a dummy key used by collectstatic; the real SECRET_KEY comes from the runtime env.)

# Yuren: one image for every Python process (web, Celery worker, Celery beat); docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_ENV=production \
    WEB_CONCURRENCY=3

# Non-root user that runs the processes; it owns nothing but the media directory.
RUN groupadd --system --gid 1000 yuren \
    && useradd --system --uid 1000 --gid yuren --home-dir /app --no-create-home --shell /usr/sbin/nologin yuren

WORKDIR /app

# Dependencies first, so a source-only change reuses this layer. pyproject.toml declares no packages
# (`[tool.setuptools] packages = []`): this installs the pinned dependencies, the apps are copied below.
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock . \
    && rm -rf build *.egg-info

# The apps are top-level directories next to manage.py; the processes run from /app.
COPY . .

# Static files are collected (hashed and compressed by WhiteNoise) at build time. Production settings refuse to load
# without SECRET_KEY and ALLOWED_HOSTS, so this one step gets dummy values; they are not kept in the image's env.
ARG BUILD_SECRET_KEY=collectstatic-only-dummy-key-not-used-at-runtime-0123456789abcdef
ARG BUILD_ALLOWED_HOSTS=build.invalid
RUN DJANGO_ENV=production SECRET_KEY="$BUILD_SECRET_KEY" ALLOWED_HOSTS="$BUILD_ALLOWED_HOSTS" \
        python manage.py collectstatic --noinput \
    && python -m compileall -q config accounts mentoring evaluation awards \
    && mkdir -p /app/media \
    && chown yuren:yuren /app/media

USER yuren

EXPOSE 8000

# Workers: WEB_CONCURRENCY (gunicorn reads it; 3 by default, set above); more flags via GUNICORN_CMD_ARGS.
# Migrations are run by the compose web service before it starts gunicorn.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
