"""Prefect tasks: small idempotent units of work, each carrying ids and counts only."""
