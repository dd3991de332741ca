"""The chat API: /api/{user_id}/chat (JSON or Server-Sent Events) and /conversations."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath
from litestar.response import Stream
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.chat.conversations import DeleteConversation, GetConversation, ListConversations
from application.chat.schemas import ChatAnswer, ChatRequest, ConversationList, ConversationView, PageQuery
from application.chat.send import ChatTurn, SendChatMessage
from application.errors import Unavailable
from application.ports import TextDelta, ToolCallEvent, ToolResultEvent
from entrypoints.http.deps import PathId, caller_of, path_id, read_body, read_query, serves
from entrypoints.http.openapi import AUTHENTICATED, documented
from entrypoints.http.problems import problem_body, rate_limit_headers

log = logging.getLogger("todo_chatbot.http")

CONVERSATION = ("get_conversation", "delete_conversation")
CONVERSATION = ("get_conversation", "delete_conversation")
_EVENT_NAMES: dict[type[Any], str] = {
    ToolCallEvent: "tool_call",
    ToolResultEvent: "tool_result",
    TextDelta: "delta",
    ChatAnswer: "done",
}
SSE_HEADERS = {"X-Accel-Buffering": "no"}  # Cache-Control: no-store comes with every API answer


def sse(event: str, data: Any) -> bytes:
    """One Server-Sent Event: an ``event:`` line and a ``data:`` line of JSON."""
    return b"event: " + event.encode() + b"\ndata: " + msgspec.json.encode(data) + b"\n\n"


async def _event_stream(turn: ChatTurn) -> AsyncIterator[bytes]:
    """The turn's events as SSE; a failure after the stream began is an ``error`` event.
    A client that disconnects cancels this generator, and with it the model call."""
    try:
        async for event in turn.events():
            yield sse(_EVENT_NAMES[type(event)], event)
    except Unavailable as exc:  # the model or the database: the same 503 as a JSON answer
        body = problem_body(503, str(exc), conversation_id=turn.conversation_id, retry_after=exc.retry_after)
        yield sse("error", body)
    except Exception:
        log.exception("chat stream failed", extra={"conversation_id": turn.conversation_id})
        yield sse("error", problem_body(500, "an unexpected error occurred", conversation_id=turn.conversation_id))


def _wants_events(request: Request[Any, Any, Any]) -> bool:
    return "text/event-stream" in request.headers.get("accept", "").lower()


serves(SendChatMessage, ListConversations, GetConversation, DeleteConversation)


class ChatController(Controller):
    """Chat with the assistant and browse stored conversations; the token must name the
    user in the path."""

    path = "/api/{user_id:str}"
    tags = ["chat"]  # noqa: RUF012

    @post(
        "/chat",
        status_code=200,
        opt=documented(
            body=ChatRequest,
            response=ChatAnswer,
            events=True,
            errors=(*AUTHENTICATED, 400, 404, 413, 429),
            links=[(target, "conversation_id", "$response.body#/conversation_id") for target in CONVERSATION],
        ),
    )
    async def chat(self, request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[Any]:
        """Send a message; the assistant may add, list, change or delete tasks. Answers
        ``{conversation_id, response, tool_calls}``, or with ``Accept: text/event-stream``
        the events ``tool_call``, ``tool_result``, ``delta``, then ``done`` (or ``error``)."""
        caller = await caller_of(request, user_id)
        command = await read_body(request, ChatRequest)
        use_case = caller.use(SendChatMessage)
        if not _wants_events(request):
            turn = await use_case.start(caller.owner_id, command, stream=False)
            return Response(await turn.answer(), headers=rate_limit_headers(turn.quota))
        turn = await use_case.start(caller.owner_id, command, stream=True)
        headers = {**SSE_HEADERS, **rate_limit_headers(turn.quota)}
        return Stream(_event_stream(turn), media_type="text/event-stream", headers=headers)

    @get("/conversations", opt=documented(query=PageQuery, errors=AUTHENTICATED))
    async def list_conversations(self, request: Request[Any, Any, Any], user_id: FromPath[str]) -> ConversationList:
        """The user's conversations, most recently active first."""
        caller = await caller_of(request, user_id)
        page = read_query(request.scope, PageQuery)
        use_case = caller.use(ListConversations)
        return await use_case.execute(caller.owner_id, page.limit, page.cursor, field_prefix="query")

    @get("/conversations/{conversation_id:str}", opt=documented(query=PageQuery, errors=(*AUTHENTICATED, 404)))
    async def get_conversation(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[str],
        conversation_id: PathId,
    ) -> ConversationView:
        """A conversation with a page of its messages, oldest first."""
        caller = await caller_of(request, user_id)
        page = read_query(request.scope, PageQuery)
        use_case = caller.use(GetConversation)
        return await use_case.execute(
            caller.owner_id, path_id(conversation_id, "conversation_id"), page.limit, page.cursor, field_prefix="query"
        )

    @delete(
        "/conversations/{conversation_id:str}",
        status_code=HTTP_204_NO_CONTENT,
        opt=documented(errors=(*AUTHENTICATED, 404)),
    )
    async def delete_conversation(
        self, request: Request[Any, Any, Any], user_id: FromPath[str], conversation_id: PathId
    ) -> None:
        """Delete a conversation and its messages (the tasks stay as they are)."""
        caller = await caller_of(request, user_id)
        await caller.use(DeleteConversation).execute(caller.owner_id, path_id(conversation_id, "conversation_id"))
