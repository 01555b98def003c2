# A small image that runs as a non-root user: dependencies are built in one stage, and the service's own tree
# (packages and migrations, installed in place) is copied beside them in the runtime stage.
FROM python:3.11-slim AS build
WORKDIR /app
RUN python -m venv /venv
COPY pyproject.toml README.md LICENSE ./
COPY domain domain
COPY service service
COPY projections projections
COPY schema schema
COPY migrations migrations
RUN /venv/bin/pip install --no-cache-dir --upgrade pip && /venv/bin/pip install --no-cache-dir -e .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 qms && mkdir /data && chown qms /data
COPY --from=build /venv /venv
COPY --from=build --chown=qms /app /app
WORKDIR /app
USER qms
ENV PATH=/venv/bin:$PATH QMS_DATA_DIR=/data QMS_HOST=0.0.0.0 QMS_PORT=8000 PYTHONDONTWRITEBYTECODE=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["qms", "check", "live"]
CMD ["qms", "serve"]
