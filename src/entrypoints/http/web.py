"""The web page: static files shipped inside the package (``entrypoints/web``), served by
one route at ``/`` and ``/assets/{name}``. Read once at start-up (the page weighs a few
tens of kilobytes), answered with an ETag so a reload costs a 304."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from importlib import resources
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

PAGE_PATHS = ("/", "/assets/")
"""Where the page lives (its CSP row is in ``security_headers``)."""
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html"}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def load_assets() -> dict[str, Asset]:
    """Every file of the page by name (``index.html`` is the page itself)."""
    found: dict[str, Asset] = {}
    for entry in resources.files("entrypoints").joinpath("web").iterdir():
        if not entry.is_file() or entry.name.startswith("."):
            continue
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        media_type = _TYPES.get(suffix) or mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
        body = entry.read_bytes()
        found[entry.name] = Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
    return found


@get(["/", "/assets/{name:str}"], include_in_schema=False, cache=False, sync_to_thread=False)
def web_page(request: Request[Any, Any, Any], name: FromPath[str] = "index.html") -> Response[bytes]:
    """The chat page and its files."""
    assets: dict[str, Asset] = request.app.state.web_assets
    asset = assets.get(name)
    if asset is None or (name == "index.html" and request.url.path != "/"):
        raise NotFoundException(f"no such file: {name}")
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)
