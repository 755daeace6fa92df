"""How flows are served and scheduled: one machine (serve.py) or a cluster (work pool, workers).

Stage flows run in the process of the person who acts; the reminder sweep runs on a schedule.
"""
