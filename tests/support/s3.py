"""An S3-compatible server for the blob store's tests: moto's standalone server, a real HTTP
server on 127.0.0.1 (a free port) in a thread of the test session, never a cloud. Each test
gets a bucket of its own and the AWS settings pointing at this server."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest

# Credentials the server accepts (it checks none), new for each session, so that a test can
# look for them in logs and sentences.
ACCESS_KEY_ID = "AKIATESTBLOBSTORE0001"
SECRET_ACCESS_KEY = f"secret-{secrets.token_hex(20)}"
SESSION_TOKEN = f"token-{secrets.token_hex(24)}"
REGION = "us-east-1"


@dataclass
class S3Server:
    """moto's server on loopback, and the buckets made on it."""

    endpoint: str
    _server: Any = field(repr=False)
    _names: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def environment(self) -> dict[str, str]:
        """The AWS settings that reach this server, as a deployment would set them."""
        return {
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_SESSION_TOKEN": SESSION_TOKEN,
            "AWS_DEFAULT_REGION": REGION,
        }

    def client(self) -> Any:
        """A client of our own, to look at the bucket around the store."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        """An empty bucket no other test uses."""
        name = f"vision-blobs-{next(self._names)}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        """Every object key in a bucket."""
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def stop(self) -> None:
        self._server.stop()


def start_s3() -> S3Server:
    """moto's server listening on 127.0.0.1, on a free port."""
    # Imported here: only the sessions that use S3 load moto.
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return S3Server(endpoint=f"http://{host}:{port}", _server=server)


def use_s3(monkeypatch: pytest.MonkeyPatch, server: S3Server) -> None:
    """Point this test's AWS settings at the server."""
    for name, value in server.environment().items():
        monkeypatch.setenv(name, value)
