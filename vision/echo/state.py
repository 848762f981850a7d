"""What the echo backend's connections read and change: its key, pacing, the faults queued for
them, the log of requests and the stop signal (the server around it only starts and stops)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from vision.echo.catalog import ModelsShape
from vision.echo.faults import Fault, FaultBook
from vision.echo.hosts import allowed_names, host_name
from vision.echo.recorder import METADATA_RING_SIZE, RecordedRequest, RequestLog


class EchoState:
    """The echo's settings and its shared, thread-safe state.

    It keeps the metadata of its latest requests (model, time, size, status); only with
    record_bodies=True, which tests use, does it keep every request's body and headers.
    It answers only requests addressed to a loopback name, its own address or `allowed_hosts`.
    """

    def __init__(
        self,
        api_key: str,
        *,
        host: str = "127.0.0.1",
        ttft_s: float = 0.0,
        token_delay_s: float = 0.0,
        models_shape: ModelsShape = "openai",
        record_bodies: bool = False,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        if models_shape not in ("openai", "io"):
            raise ValueError("models_shape must be 'openai' or 'io'.")
        self.api_key = api_key
        self.host = host
        self.ttft_s = ttft_s
        self.token_delay_s = token_delay_s
        self.models_shape: ModelsShape = models_shape
        self.record_bodies = record_bodies
        self.allowed_hosts = allowed_names(host, allowed_hosts)
        self.faults = FaultBook()
        self.log = RequestLog(limit=None if record_bodies else METADATA_RING_SIZE)
        self.stopping = threading.Event()

    def answers_host(self, header: str | None) -> bool:
        """True when a request with this Host header is meant for this echo."""
        return host_name(header) in self.allowed_hosts

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (the latest ones without record_bodies)."""
        return self.log.snapshot()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The chat completion requests received so far (retries included)."""
        return [r for r in self.log.snapshot() if r.path.rstrip("/").endswith("/chat/completions")]

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault for the next matching request(s)."""
        self.faults.add(fault)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.faults.clear()
