"""A Python load generator, used only when wrk is not available.

``python -m bench.pyload URL REQUESTS_FILE CONCURRENCY SECONDS OFFSET`` runs in its own
process, keeps CONCURRENCY HTTP/1.1 keep-alive connections busy for SECONDS, rotating over
the requests of REQUESTS_FILE (the format of ``bench/rotate.lua``), and prints the same
``BENCH_RESULT {...}`` line as the wrk script. It is slower than wrk: with it, the figures
measure the client too.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from urllib.parse import urlsplit


def load_requests(path: str, host: str) -> list[bytes]:
    raw = []
    with open(path, encoding="utf-8") as file:
        for line in file:
            method, target, headers, body = line.rstrip("\n").split("\t", 3)
            lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
            lines += [pair for pair in headers.split("\x1f") if pair]
            encoded = body.encode()
            if encoded:
                lines.append(f"Content-Length: {len(encoded)}")
            raw.append(("\r\n".join(lines) + "\r\n\r\n").encode() + encoded)
    return raw


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        while True:
            size = int((await reader.readline()).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        start = headers.find(b"content-length:")
        length = int(headers[start + 15 : headers.find(b"\r\n", start)]) if start >= 0 else 0
        await reader.readexactly(length)
    return status


async def run(url: str, path: str, concurrency: int, seconds: float, offset: int) -> dict:
    parts = urlsplit(url)
    requests = load_requests(path, parts.netloc)
    counter = itertools.count(offset)
    latencies: list[float] = []
    errors = {"status": 0, "read": 0}
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                request = requests[next(counter) % len(requests)]
                started = time.perf_counter()
                writer.write(request)
                try:
                    status = await _read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    errors["read"] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                    continue
                latencies.append(time.perf_counter() - started)
                if status > 399:
                    errors["status"] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    duration = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6) if latencies else 0

    return {
        "requests": len(latencies),
        "duration_us": int(duration * 1e6),
        "status_errors": errors["status"],
        "connect_errors": 0,
        "read_errors": errors["read"],
        "write_errors": 0,
        "timeouts": 0,
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p99_us": pct(99),
        "max_us": int(latencies[-1] * 1e6) if latencies else 0,
        "mean_us": sum(latencies) / len(latencies) * 1e6 if latencies else 0.0,
    }


def main() -> None:
    url, path, concurrency, seconds, offset = sys.argv[1:6]
    coroutine = run(url, path, int(concurrency), float(seconds), int(offset))
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(coroutine)
    else:
        result = uvloop.run(coroutine)
    print("BENCH_RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
