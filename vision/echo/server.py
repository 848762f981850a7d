"""The echo backend: a local OpenAI-compatible server that describes what it received."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar

from vision.echo.catalog import ModelsShape
from vision.echo.handler import API_PREFIX, EchoHandler
from vision.echo.state import EchoState


class EchoHTTPServer(ThreadingHTTPServer):
    """The stdlib server under an EchoServer: one daemon thread per connection."""

    daemon_threads = True
    block_on_close = False
    # Many sessions asking at once (both models for each of 40 people) connect in one burst; the
    # stdlib's backlog of 5 refuses connections while the accepting thread waits for the GIL.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], echo: EchoState) -> None:
        self.echo = echo
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, EchoHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: a client hanging up mid-answer is normal in fault tests."""


class EchoServer(EchoState):
    """A local OpenAI-compatible server on loopback that answers with what it received (its
    state and settings: EchoState)."""

    DEFAULT_API_KEY: ClassVar[str] = "echo-key"

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ttft_s: float = 0.0,
        token_delay_s: float = 0.0,
        models_shape: ModelsShape = "openai",
        record_bodies: bool = False,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        super().__init__(
            api_key,
            host=host,
            ttft_s=ttft_s,
            token_delay_s=token_delay_s,
            models_shape=models_shape,
            record_bodies=record_bodies,
            allowed_hosts=allowed_hosts,
        )
        self.port = port
        self._server: EchoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._server else "not started"
        return f"EchoServer({where})"

    @property
    def base_url(self) -> str:
        """The API base URL to give a client, e.g. http://127.0.0.1:PORT/v1."""
        if self._server is None:
            raise RuntimeError("The echo server is not started; call start() first.")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}{API_PREFIX}"

    def start(self) -> EchoServer:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self.stopping.clear()
        server = EchoHTTPServer((self.host, self.port), self)
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            # A short poll keeps stop() (and so every test fixture teardown) fast.
            kwargs={"poll_interval": 0.02},
            daemon=True,
            name=f"echo-{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any request sleeping in a hang or slow fault."""
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_until_interrupted(self) -> None:
        """Block until Ctrl-C, then stop (for the CLI)."""
        self.start()
        try:
            while not self.stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> EchoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
