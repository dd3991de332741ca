"""The Litestar application factory: ``create_app(settings, *providers)``.

Nothing is built at import time. ``providers`` (dishka) override the defaults of
``entrypoints.ioc``, which is how tests swap adapters. Route handlers of each entry point
(tasks, health, chat, MCP) are listed in ``create_app``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dishka import AsyncContainer, Provider
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from entrypoints.config import Settings
from entrypoints.http.chat import ChatController
from entrypoints.http.deps import resolve_services
from entrypoints.http.health import HealthController
from entrypoints.http.metrics import metrics, resolve_registry
from entrypoints.http.middleware import AllowedHostsMiddleware, RequestContextMiddleware
from entrypoints.http.problems import exception_handlers
from entrypoints.http.request_metrics import RequestMetrics, RequestMetricsMiddleware
from entrypoints.http.tasks import TaskController
from entrypoints.ioc import make_container
from entrypoints.mcp import mcp_from_container

MAX_BODY_BYTES = 1024 * 1024
VERSION = "0.1.0"


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Todo Chatbot",
        version=VERSION,
        description="Manage todo tasks by REST, by chatting with an assistant, or over MCP.",
        path="/",
        render_plugins=[SwaggerRenderPlugin(path="/docs"), JsonRenderPlugin(path="/openapi.json")],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        security=[{"bearer": []}],
        use_handler_docstrings=True,
    )


def _container_lifespan(container: AsyncContainer) -> Any:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await container.close()

    return lifespan


YOUNG_GC_THRESHOLD = 7_000
"""Allocations between young collections (Python's default is 700). A list request makes
a few hundred short-lived objects, so the default ran a young collection every few requests:
~20 us of a list request at concurrency 10 (measured with ``gc.callbacks``). Each collection
walks only the objects still alive, so running a tenth as many costs about a tenth."""


async def _freeze_heap(app: Litestar) -> None:
    # Long-lived start-up objects leave the GC's generations: full collections stay cheap.
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])


def create_app(settings: Settings, *providers: Provider) -> Litestar:
    """Build the whole application for ``settings``; ``providers`` override adapters."""
    container = make_container(settings, *providers)
    mcp = mcp_from_container(container, settings)
    # Litestar does not run a mounted app's lifespan: the MCP session manager runs in ours.
    lifespans = [_container_lifespan(container), mcp.lifespan]
    cors = (
        CORSConfig(allow_origins=list(settings.frontend_origins), allow_credentials=True)
        if settings.frontend_origins
        else None
    )
    request_metrics = RequestMetrics()  # issue 12: see the end of this function
    app = Litestar(
        route_handlers=[HealthController, TaskController, ChatController, metrics, *mcp.route_handlers],
        state=State({"container": container, "services": {}, "settings": settings, "request_metrics": request_metrics}),
        lifespan=lifespans,
        on_startup=[resolve_services, resolve_registry, _freeze_heap],
        exception_handlers=exception_handlers(settings.debug),
        middleware=[
            DefineMiddleware(RequestContextMiddleware),
            DefineMiddleware(AllowedHostsMiddleware, allowed=settings.allowed_hosts),
        ],
        cors_config=cors,
        openapi_config=_openapi(),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
        logging_config=None,
    )
    # Request metrics (issue 12) wrap Litestar's whole handler, outside the router, so that
    # answers of unknown paths and methods (404, 405) are counted too; the app's own
    # middleware runs only for matched routes.
    app.asgi_handler = RequestMetricsMiddleware(app.asgi_handler, request_metrics)
    return app


__all__ = ["create_app"]
