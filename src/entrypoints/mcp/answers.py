"""What the MCP endpoint answers when a request is not a good one: HTTP-level refusals as
RFC 9457 problems, and JSON-RPC errors with messages of our own (the SDK's can carry
validator dumps with library names, versions and links)."""

from __future__ import annotations

from typing import Any

import msgspec

from entrypoints.asgi_headers import header
from entrypoints.http.problems import send_problem

JSON_RPC_MESSAGES = {
    -32700: "Parse error: the body is not valid JSON.",
    -32600: "Invalid request: send a JSON-RPC 2.0 request object.",
    -32601: "Method not found.",
    -32602: "Invalid params: check the method's parameters (tools/list gives each tool's input schema).",
    -32603: "Internal error.",
}
_ERROR_MARK = b'"error":{'
_SMALL = 64 * 1024


def is_json(scope: Any) -> bool:
    """Whether the request says its body is JSON (``application/json``, any parameters)."""
    content_type = header(scope, b"content-type") or ""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


_JSON_RANGES = ("application/json", "application/*", "*/*")


def accepts_json(scope: Any) -> bool:
    """Whether the client takes a JSON answer (the endpoint answers JSON, never a stream)."""
    accept = (header(scope, b"accept") or "").lower()
    return any(kind in accept for kind in _JSON_RANGES)


async def refuse_media_type(send: Any) -> None:
    await send_problem(send, 415, "The MCP endpoint takes JSON-RPC as application/json.")


async def refuse_accept(send: Any) -> None:
    await send_problem(send, 406, "The MCP endpoint answers application/json; say so in Accept.")


def clean_error(body: bytes) -> bytes:
    """A JSON-RPC error answer with our message for its code and no ``data``; any other
    body as it is. Cheap for the bodies that are not errors (a substring test)."""
    if len(body) > _SMALL or _ERROR_MARK not in body:
        return body
    try:
        answer = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return body
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), int):
        return body
    code = error["code"]
    answer["error"] = {"code": code, "message": JSON_RPC_MESSAGES.get(code, str(error.get("message", ""))[:200])}
    return msgspec.json.encode(answer)


def cleaning_send(send: Any) -> Any:
    """Wrap ``send`` so JSON-RPC errors leave with ``clean_error``'s body (the SDK answers
    in one body message in stateless JSON mode; a streamed answer passes untouched)."""
    pending: dict[str, Any] = {}

    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            pending["start"] = message
            return
        start = pending.pop("start", None)
        if start is None or message.get("more_body"):
            if start is not None:
                await send(start)
            await send(message)
            return
        body = clean_error(message.get("body", b""))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({**message, "body": body})

    return wrapped


__all__ = [
    "JSON_RPC_MESSAGES",
    "accepts_json",
    "clean_error",
    "cleaning_send",
    "is_json",
    "refuse_accept",
    "refuse_media_type",
]
