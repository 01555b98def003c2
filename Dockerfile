FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY service service
COPY projections projections
COPY schema schema
COPY migrations migrations
RUN pip install --no-cache-dir -e .
ENV QMS_DATA_DIR=/data
EXPOSE 8000
CMD ["qms", "serve", "--host", "0.0.0.0", "--port", "8000"]
