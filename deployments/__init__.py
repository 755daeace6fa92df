"""How flows are served and scheduled: one machine (serve) or a cluster (work pool, workers).

Empty until the first scheduled flow (the reminder sweep); stage flows run in the calling process.
"""
