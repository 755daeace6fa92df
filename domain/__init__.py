"""The domain of Nastavnik: tables, the roadmap catalogue, stage rules and time.

Pure: nothing here imports Prefect or talks to the network; every rule a person can run into
lives here so that the command line, the REST API and the web pages share it.
"""
