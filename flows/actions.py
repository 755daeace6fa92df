"""The service every interface calls to act on a stage: check, record, run the kind's flow.

The command line calls these functions as they are; a REST API and web pages will too.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime

from prefect import tags

from domain import database, logbook
from domain.errors import InvalidInput, NastavnikError, NotFound, TransitionRefused
from domain.schedule import utc_now
from domain.states import Action, StageState
from domain.transitions import AppliedAction, RequestedAction, fail_entry, request_action
from flows.engine import FlowRunFailed, engine_failure, require_configured_reachable
from flows.stages import STAGE_FLOWS


def run_tags(requested: RequestedAction) -> list[str]:
    """Tags that let an administrator find a program's whole history in Prefect."""
    return [
        f"program:{requested.program_id}",
        f"org:{requested.org_id}",
        f"stage:{requested.stage_code}",
        f"action:{requested.action.value}",
    ]


def run_name(requested: RequestedAction) -> str:
    occurrence = f"#{requested.occurrence}" if requested.occurrence is not None else ""
    return (
        f"program-{requested.program_id}-{requested.stage_code}{occurrence}-"
        f"{requested.action.value}"
    )


async def act_on_stage(
    program_id: int,
    stage: str,
    action: Action,
    *,
    actor: str,
    now: datetime | None = None,
    reason: str | None = None,
    occurrence: int | None = None,
    due: date | None = None,
    expected: StageState | None = None,
) -> AppliedAction:
    """Start, complete, skip or reschedule a stage (or one date of a recurring stage).

    A refused action raises a Russian ``NastavnikError`` before any flow run is made and
    stores nothing; an accepted one is applied by one flow run of the stage's kind.
    ``now`` may be naive: wall-clock time in the program's organisation.
    """
    require_configured_reachable()
    requested_at = utc_now()
    with database.session() as db:
        requested = request_action(
            db,
            program_id,
            stage,
            action,
            actor=actor,
            now=now or requested_at,
            requested_at=requested_at,
            reason=reason,
            occurrence=occurrence,
            due=due,
            expected=expected,
        )
    stage_flow = STAGE_FLOWS[requested.kind].with_options(flow_run_name=run_name(requested))
    try:
        with tags(*run_tags(requested)):
            return await stage_flow(requested.entry_id)
    except (TransitionRefused, InvalidInput, NotFound):
        raise  # the roadmap's rules: the entry says so already
    except NastavnikError as failure:  # the database, say: its message says what and where
        _failed(requested.entry_id, f"{failure}; этап не изменён")
        raise
    except (Exception, asyncio.CancelledError, KeyboardInterrupt) as error:
        interrupted = isinstance(error, asyncio.CancelledError | KeyboardInterrupt)
        log = logbook.log_failure(f"The flow run of audit entry {requested.entry_id}", error)
        message = (
            "Действие прервано; этап не изменён"
            if interrupted
            else f"Prefect не выполнил действие ({engine_failure(error)}); этап не изменён"
            + (f". Подробности — в журнале {log}" if log else "")
        )
        _failed(requested.entry_id, message)
        if interrupted:
            raise
        raise FlowRunFailed(message) from error


def _failed(entry_id: int, message: str) -> None:
    """Record the machinery's failure in the entry; the database itself may be what failed,
    and then the entry stays pending until the program's next action marks it."""
    with contextlib.suppress(NastavnikError), database.session() as db:
        fail_entry(db, entry_id, message)
