"""Observability: JSON logging and Prometheus metrics. No Qt."""
