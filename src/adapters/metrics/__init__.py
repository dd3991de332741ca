"""Metrics on prometheus-client."""

from adapters.metrics.prometheus import PrometheusMetrics

__all__ = ["PrometheusMetrics"]
