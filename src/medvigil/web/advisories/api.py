"""Intelligence endpoints: vulnerabilities, import runs, sources and online sync.

Each endpoint checks the role, calls one selector and serialises.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from medvigil.core.errors import InputError
from medvigil.web.accounts.auth import require_read
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.advisories import selectors
from medvigil.web.advisories.presenters import run_dict, source_dict, sync_dict, vulnerability_dict
from medvigil.web.advisories.schemas import (
    RunOut,
    SourceOut,
    SyncIn,
    SyncOut,
    SyncQueuedOut,
    VulnerabilityDetailOut,
    VulnerabilityOut,
)
from medvigil.web.paging import PageParams, Paging

router = Router(tags=["intelligence"])


@router.get(
    "/vulnerabilities",
    response=list[VulnerabilityOut],
    summary="List vulnerabilities (paginated; q matches an alias or the summary; order: "
    + ", ".join(selectors.ORDERINGS)
    + ")",
)
@paginate(Paging)
def vulnerability_list(
    request: HttpRequest,
    q: str = "",
    kev: bool | None = None,
    severity: str = "",
    source: str = "",
    include_withdrawn: bool = False,
    order: str = "-cvss",
) -> Any:
    require_read(request)
    return selectors.vulnerability_rows(
        q=q, kev=kev, severity=severity, source=source, include_withdrawn=include_withdrawn, order=order
    )


@router.get(
    "/vulnerabilities/{path:identifier}",
    response=VulnerabilityDetailOut,
    summary="A vulnerability by key or any alias, with every source's record side by side",
)
def vulnerability_get(request: HttpRequest, identifier: str) -> dict[str, Any]:
    require_read(request)
    return vulnerability_dict(selectors.vulnerability_get(key=identifier))


@router.get("/feeds/runs", response=list[RunOut], summary="Import runs, newest first")
def run_list(
    request: HttpRequest, page: Query[PageParams], source: str = "", status: str = ""
) -> list[dict[str, Any]]:
    require_read(request)
    runs = selectors.import_run_list(source=source, status=status, limit=page.limit, offset=page.offset)
    return [run_dict(r) for r in runs]


@router.get("/feeds/sources", response=list[SourceOut], summary="Sources with their freshness")
def source_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_read(request)
    return [source_dict(s) for s in selectors.source_list()]


@router.get("/feeds/syncs", response=list[SyncOut], summary="Online sync state of each source")
def sync_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_read(request)
    return [sync_dict(s) for s in selectors.feed_sync_list()]


@router.post(
    "/feeds/sync",
    response={202: SyncQueuedOut},
    summary="Queue an online sync now (admin; sources empty: the enabled ones)",
)
def sync_now(request: HttpRequest, payload: SyncIn) -> Status[dict[str, Any]]:
    if role_of(request.user) < Role.ADMIN:
        raise HttpError(403, "the admin role is needed to start a feed sync")
    from medvigil.core.feeds.sync.registry import FETCHERS
    from medvigil.web.advisories.tasks import feeds_sync_task

    unknown = [s for s in payload.sources if s not in FETCHERS]
    if unknown:
        raise InputError(f"unknown feed source(s): {', '.join(unknown)}", field="sources")
    result = feeds_sync_task(payload.sources or None)
    return Status(202, {"task": str(result.id), "sources": payload.sources})
