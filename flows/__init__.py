"""Prefect flows: one per kind of stage, and the actions that run them."""
