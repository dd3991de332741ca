"""A throwaway nginx (Debian's) in front of test servers, configured by the project's own
template ``deploy/nginx/todo-chatbot.conf.template`` rendered with ``envsubst``.

Loopback only, free ports, and every path nginx writes (pid, logs, temp files) under its
own directory; stopped at the end of the block.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.certificates import ServerCertificate, make_server_certificate

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "deploy" / "nginx" / "todo-chatbot.conf.template"
VARIABLES = (
    "NGINX_SERVER_NAME",
    "NGINX_HTTP_LISTEN",
    "NGINX_HTTPS_LISTEN",
    "NGINX_TLS_CERTIFICATE",
    "NGINX_TLS_CERTIFICATE_KEY",
    "NGINX_UPSTREAM_SERVERS",
    "PUBLIC_URL",
)
START_TIMEOUT = 10.0
_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed: run ./scripts/test.sh (scripts/deb-packages.txt)")
    return found


def render_template(values: dict[str, str]) -> str:
    """The template with exactly our variables substituted, by ``envsubst`` itself."""
    shell_format = " ".join(f"${{{name}}}" for name in VARIABLES)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **values}
    result = subprocess.run(
        ["envsubst", shell_format], input=TEMPLATE.read_text(), env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def _main_config(root: Path) -> str:
    temp = "\n".join(f"    {name}_temp_path {root / 'temp' / name};" for name in _TEMP_PATHS)
    return f"""worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    access_log {root / "access.log"};
{temp}
    include {root / "todo-chatbot.conf"};
}}
"""


@dataclass
class RunningNginx:
    root: Path
    http_port: int
    https_port: int
    certificate: ServerCertificate
    config: str
    process: subprocess.Popen[bytes]

    @property
    def https_url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def error_log(self) -> str:
        return (self.root / "error.log").read_text(errors="replace")


def _wait_listening(process: subprocess.Popen[bytes], port: int, root: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{(root / 'error.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nginx not listening on {port} within {START_TIMEOUT}s") from None
            time.sleep(0.02)  # polling interval, bounded by the deadline


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # SIGTERM: fast shutdown
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_nginx(upstreams: Sequence[str], public_port: int | None = None) -> Iterator[RunningNginx]:
    """nginx with the project's template in front of ``upstreams`` (``HOST:PORT`` each).

    ``public_port`` is the https port to listen on (PUBLIC_URL of the apps behind it must
    name it, so pick it first with ``free_port()``)."""
    root = Path(tempfile.mkdtemp(prefix="todo-nginx-"))
    root.chmod(0o755)  # workers run as an unprivileged user when nginx starts as root
    https_port = public_port or free_port()
    http_port = free_port()
    certificate = make_server_certificate(root / "tls")
    values = {
        "NGINX_SERVER_NAME": "localhost",
        "NGINX_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "NGINX_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "NGINX_TLS_CERTIFICATE": str(certificate.certificate),
        "NGINX_TLS_CERTIFICATE_KEY": str(certificate.key),
        "NGINX_UPSTREAM_SERVERS": " ".join(f"server {address};" for address in upstreams),
        "PUBLIC_URL": f"https://localhost:{https_port}",
    }
    config = render_template(values)
    (root / "todo-chatbot.conf").write_text(config)
    (root / "nginx.conf").write_text(_main_config(root))
    for name in _TEMP_PATHS:
        (root / "temp" / name).mkdir(parents=True)
    command = [nginx_binary(), "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if checked.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"nginx -t refused the rendered template:\n{checked.stderr}")
    process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(process, https_port, root)
        yield RunningNginx(root, http_port, https_port, certificate, config, process)
    finally:
        _stop(process)
        shutil.rmtree(root, ignore_errors=True)


__all__ = ["RunningNginx", "free_port", "render_template", "running_nginx"]
