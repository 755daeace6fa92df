"""Prefect's own client against its own server, with the packages of constraints.txt: with
fastapi 0.151 and newer, read_flow_runs() with its defaults got a 422 (limit and sort sent as
null were no longer read as their defaults)."""

from __future__ import annotations

import pytest
from prefect import flow, get_client


@flow(name="nastavnik-client-check", persist_result=False)
async def a_flow() -> int:
    return 1


@pytest.mark.usefixtures("prefect_api")
async def test_reading_flow_runs_with_the_clients_defaults_works() -> None:
    await a_flow()
    async with get_client() as client:
        runs = await client.read_flow_runs()
        deployments = await client.read_deployments()
    assert any(run.name and run.state and run.state.is_completed() for run in runs)
    assert isinstance(deployments, list)
