"""The web pages and the JSON API (FastAPI, server-rendered Jinja2), over the same service
functions the command line calls. ``create_app`` makes the application; `sessions.py` signs
people in, `errors.py` turns the domain's refusals into 4xx answers in Russian."""
