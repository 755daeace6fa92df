"""A program's flow runs as the Prefect API knows them (found by the ``program:<id>`` tag)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
from prefect.client.schemas.sorting import FlowRunSort
from prefect.settings import PREFECT_API_URL, PREFECT_HOME

PAGE = 200  # the Prefect API's default page limit


@dataclass(frozen=True)
class FlowRunInfo:
    id: str
    name: str
    state: str
    tags: list[str]
    start_time: datetime | None


async def program_flow_runs(program_id: int) -> list[FlowRunInfo]:
    """Every flow run tagged with the program, oldest first."""
    runs: list[FlowRunInfo] = []
    only_program = FlowRunFilter(tags=FlowRunFilterTags(all_=[f"program:{program_id}"]))
    async with get_client() as client:
        while True:
            page = await client.read_flow_runs(
                flow_run_filter=only_program,
                sort=FlowRunSort.START_TIME_ASC,
                limit=PAGE,
                offset=len(runs),
            )
            runs += [
                FlowRunInfo(
                    id=str(run.id),
                    name=run.name,
                    state=run.state_name or "",
                    tags=list(run.tags),
                    start_time=run.start_time,
                )
                for run in page
            ]
            if len(page) < PAGE:
                return runs


def where_runs_are() -> str:
    """Where a person finds the runs: the configured server, or the embedded server's file."""
    url = PREFECT_API_URL.value()
    if url:
        return f"сервер Prefect {url.removesuffix('/api')}, раздел Runs, фильтр по тегу"
    return (
        f"встроенный сервер Prefect, база {PREFECT_HOME.value() / 'prefect.db'}; "
        "посмотреть: prefect server start и http://127.0.0.1:4200/runs, фильтр по тегу"
    )
