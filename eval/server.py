"""Running ``python app.py`` in a subprocess, for the end-to-end tests, the load test and the
benchmark: a free loopback port, a fresh index cache, lexical only unless told otherwise."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServerError(RuntimeError):
    """The app exited or did not answer; the message holds the end of its log."""


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(cache_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: lexical only, its own index cache, no login, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QA_", "GRADIO_"))}
    env.update(QA_EMBEDDING_MODEL="none", QA_CACHE_DIR=str(cache_dir), PYTHONUNBUFFERED="1",
               GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    env.update(extra or {})
    return env


@contextmanager
def running_app(workdir: Path, env: Mapping[str, str] | None = None, timeout: float = 60,
                args: Sequence[str] = ()) -> Iterator[Server]:
    """``python app.py --port P [args]`` until the block ends; ``workdir`` holds its cache and log."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    full = app_env(workdir / "cache", env)
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), *args], cwd=ROOT,
                                env=full, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}/", port, proc, log, full)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise ServerError(f"app.py exited with {proc.returncode}:\n{server.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(server.url, timeout=2):
                    break
            except OSError as exc:
                if time.monotonic() > deadline:
                    raise ServerError(f"app.py did not answer on {server.url} within {timeout:g} s:\n"
                                      f"{server.log_text()[-3000:]}") from exc
                time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
