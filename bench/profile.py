"""``--profile``: py-spy samples the project's worker under load; the samples are summed
by package (where the time is spent, leaf frame) and by package on the stack (inclusive)."""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

_NAMES = {
    "litestar": "Litestar",
    "sqlalchemy": "SQLAlchemy",
    "advanced_alchemy": "advanced-alchemy",
    "asyncpg": "asyncpg",
    "uvicorn": "uvicorn",
    "msgspec": "msgspec",
    "jwt": "PyJWT",
    "cryptography": "cryptography",
    "dishka": "dishka",
    "mcp": "mcp SDK",
    "anyio": "anyio",
    "openai": "openai SDK",
    "httpx": "httpx",
    "httpcore": "httpcore",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic",
    "asyncio": "asyncio (uvloop runs inside Runner.run)",
    "domain": "own: domain",
    "application": "own: application",
    "adapters": "own: adapters",
    "entrypoints": "own: entrypoints",
}
_CHAIN = re.compile(
    r"\((uvicorn/|asyncio/|todo-chatbot|entrypoints/cli\.py|entrypoints/http/middleware\.py|"
    r"litestar/(app\.py|_asgi/|middleware/|routes/))"
)
_FILE = re.compile(r"\(([^()]+):\d+\)$")
_IDLE_WORKER = re.compile(r"^_worker \(concurrent/futures/thread\.py:\d+\)$")


def _package(frame: str) -> str:
    """py-spy names a frame ``function (package/module.py:line)``; stdlib frames carry their
    module (``json/decoder.py``)."""
    match = _FILE.search(frame)
    if not match:
        return "other"
    top = match.group(1).lstrip("/").split("/")[0]
    if top.endswith(".py"):
        return "stdlib"
    return _NAMES.get(top, top)


def summarize(raw: str, top: int = 12) -> list[str]:
    leaf: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    functions: collections.Counter[str] = collections.Counter()
    frames_inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if _IDLE_WORKER.search(frames[-1]):
            continue  # a thread-pool worker blocked in its queue: idle, though py-spy samples it
        total += count
        leaf[_package(frames[-1])] += count
        functions[frames[-1]] += count
        for name in {_package(f) for f in frames}:
            inclusive[name] += count
        for frame in set(frames):
            frames_inclusive[frame] += count
    if not total:
        return ["(py-spy recorded no samples)"]
    lines = [
        f"{total:,} samples (py-spy, 250 Hz, idle excluded; percentages of the worker's busy samples).",
        "",
        "Self time by package (leaf frame):",
        "",
    ]
    lines += ["| package | self % | on the stack % |", "|---|---:|---:|"]
    lines += [
        f"| {name} | {100 * n / total:.1f} | {100 * inclusive[name] / total:.1f} |" for name, n in leaf.most_common()
    ]
    lines += ["", "Hottest leaf functions:", "", "| function | self % |", "|---|---:|"]
    lines += [f"| `{name}` | {100 * n / total:.1f} |" for name, n in functions.most_common(top)]
    # Frames below the server/framework chain every request passes through: where a
    # request's own costs show.
    specific = [(f, n) for f, n in frames_inclusive.most_common() if not _CHAIN.search(f)][: top * 2]
    lines += ["", "Hottest frames on the stack (below the common request chain):", ""]
    lines += ["| frame | on the stack % |", "|---|---:|"]
    lines += [f"| `{name}` | {100 * n / total:.1f} |" for name, n in specific]
    return lines


def profile_server(pid: int, load: Callable[[], object], workdir: Path, seconds: int = 8) -> list[str]:
    spy = shutil.which("py-spy")
    if not spy:
        return ["py-spy is not installed (`pip install py-spy`): no profile."]
    output = workdir / "profile.txt"
    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    result = subprocess.run(
        [
            spy,
            "record",
            "-p",
            str(pid),
            "-d",
            str(seconds),
            "-r",
            "250",
            "-f",
            "raw",
            "-o",
            str(output),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    thread.join()
    if result.returncode != 0 or not output.exists():
        return [f"py-spy failed: {result.stderr.strip()[-500:]}"]
    return summarize(output.read_text())
