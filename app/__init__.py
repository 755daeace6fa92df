"""The interfaces: the command line now; a REST API and web pages later. They translate between
people and the services in domain/ and flows/, and hold no business rule."""

import os

# Prefect reads these when first imported, so they are set before anything imports it. There is
# no internet for analytics. Prefect's console lines (its tracebacks of a failed run among
# them) would drown the Russian output: a person reads one Russian line, the details go to
# $NASTAVNIK_HOME/nastavnik.log, and Prefect's logs still reach its API and UI in full.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
# The embedded server's first start creates its database: on 2 busy cores that took longer
# than Prefect's 20 s, and the command failed ("Timed out ... ephemeral Prefect API server").
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
