"""`python -m vision echo`: serve the local echo backend until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
from typing import TextIO

from vision.cli.common import DEFAULT_ECHO_PORT, port_number, seconds, tokens_per_second
from vision.cli.exits import EXIT_OK
from vision.errors import RequestError
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `echo`."""
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_ECHO_PORT, help="0 picks a free port"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests addressed to this name (besides loopback and --host)",
    )
    parser.add_argument("--api-key", help="the key clients must send (default: echo-key)")
    parser.add_argument("--ttft", type=seconds, default=0.0, help="seconds before the first token")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--token-delay", type=seconds, default=0.0, help="seconds between tokens")
    pace.add_argument(
        "--tokens-per-second",
        type=tokens_per_second,
        metavar="N",
        help="stream N tokens a second after the first, as a real model does (a client can "
        "ask for its own pace with the base URL …/pace/TTFT/TPS/v1)",
    )
    parser.add_argument(
        "--models-shape",
        choices=("openai", "io"),
        default="openai",
        help="the /models response shape",
    )


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Serve the echo backend until Ctrl-C."""
    from vision.api.transport import LOOPBACK_HOSTS
    from vision.echo import EchoServer

    echo = EchoServer(
        api_key=args.api_key or EchoServer.DEFAULT_API_KEY,
        host=args.host,
        port=args.port,
        ttft_s=args.ttft,
        token_delay_s=1.0 / args.tokens_per_second if args.tokens_per_second else args.token_delay,
        models_shape=args.models_shape,
        allowed_hosts=args.allow_host,
    )
    if args.host not in LOOPBACK_HOSTS:
        err.write(
            f"warning: the echo backend listens on {args.host}, beyond this machine; it answers "
            f"only requests addressed to {', '.join(sorted(echo.allowed_hosts))} "
            "(add others with --allow-host).\n"
        )
    try:
        echo.start()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RequestError(
            f"The echo backend cannot listen on {args.host}:{args.port} ({reason}); "
            "pick another --port (or --host) and try again."
        ) from None
    key_hint = "<the key you passed with --api-key>" if args.api_key else echo.api_key
    out.write(
        f"Echo backend listening on {echo.base_url} (no model runs; answers describe the "
        "request).\nPoint the app or the CLI at it:\n"
        f"  export {BASE_URL_VARIABLE}={echo.base_url}\n"
        f"  export {API_KEY_VARIABLE}={key_hint}\n"
        "Press Ctrl-C to stop.\n"
    )
    out.flush()
    signal.signal(signal.SIGTERM, lambda *_: echo.stopping.set())
    echo.serve_until_interrupted()
    out.write("Echo backend stopped.\n")
    return EXIT_OK
