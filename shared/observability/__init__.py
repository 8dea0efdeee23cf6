"""Metrics, traces and logs every service exposes."""
