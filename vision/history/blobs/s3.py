"""Kept originals as objects in S3-compatible storage (AWS S3, MinIO, Ceph, R2...), through
boto3: `s3://BUCKET/PREFIX` names where, and the usual AWS settings say how to reach it.

Endpoint: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (unset: AWS itself); credentials and region:
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION,
or any other source boto3 reads (a profile, an instance role). An object's key is
PREFIX/WORKSPACE/HASH. Credentials never reach a sentence, a repr or a log record.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from vision.errors import BlobStoreError
from vision.history.blobs.store import BlobStore, check_blob_name, workspace_folder
from vision.redaction import install_redaction, redact

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

ENDPOINT_ENVS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
# boto3's own loggers: at DEBUG they write signed requests, which carry a session token.
_CLIENT_LOGGERS = ("botocore", "boto3", "s3transfer")
_CLIENT_LOGGER_MODULES = tuple(
    f"botocore.{name}"
    for name in ("auth", "endpoint", "hooks", "parsers", "credentials", "httpsession", "retries")
)
_MISSING = {"404", "NoSuchKey", "NotFound"}
_TIMEOUT_S = 30


def _quiet_client_logs() -> None:
    """Hold boto3's loggers at INFO, where they write no request; an explicit level above that
    stays."""
    for name in _CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


class S3BlobStore(BlobStore):
    """Blobs as objects under `prefix` in `bucket`."""

    def __init__(
        self, bucket: str, prefix: str = "", *, environ: Mapping[str, str] | None = None
    ) -> None:
        env = os.environ if environ is None else environ
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint = next((env[name] for name in ENDPOINT_ENVS if env.get(name)), None)
        self._secrets: tuple[str, ...] = ()
        self._failures: tuple[type[Exception], ...] = ()
        self._client = self._connect()

    @property
    def location(self) -> str:
        """s3://BUCKET/PREFIX, and the endpoint when it is not AWS's."""
        where = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        return f"{where} at {self.endpoint}" if self.endpoint else where

    def key(self, workspace: str, sha256: str) -> str:
        """The object key of a blob."""
        parts = (self.prefix, workspace_folder(workspace), check_blob_name(sha256))
        return "/".join(part for part in parts if part)

    def _connect(self) -> S3Client:
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError, ClientError
        except ImportError:
            raise BlobStoreError(
                f"VISION_BLOB_URL names S3 ({self.location}), and boto3 is not installed; "
                "install the app's requirements.txt."
            ) from None
        self._failures = (BotoCoreError, ClientError)
        _quiet_client_logs()
        config = Config(
            connect_timeout=_TIMEOUT_S,
            read_timeout=_TIMEOUT_S,
            retries={"mode": "standard", "max_attempts": 3},
        )
        if self.endpoint:
            # Another vendor's S3 takes bucket names in the path and may refuse the checksums
            # boto3 adds to every upload since 1.36; AWS gets boto3's defaults.
            config = config.merge(
                Config(
                    s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                )
            )
        try:
            session = boto3.session.Session()
            credentials = session.get_credentials()
            if credentials is not None:
                frozen = credentials.get_frozen_credentials()
                self._secrets = tuple(
                    secret for secret in (frozen.secret_key, frozen.token) if secret
                )
            for secret in self._secrets:
                install_redaction(secret, loggers=(*_CLIENT_LOGGERS, *_CLIENT_LOGGER_MODULES))
            return session.client("s3", endpoint_url=self.endpoint, config=config)
        except (BotoCoreError, ValueError) as exc:
            raise self._failed("reached", exc) from None

    def put(self, workspace: str, sha256: str, data: bytes) -> None:
        """Upload the object (a retried upload writes the same bytes again)."""
        key = self.key(workspace, sha256)
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except self._failures as exc:
            raise self._failed("written", exc) from None

    def get(self, workspace: str, sha256: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        key = self.key(workspace, sha256)
        try:
            found = self._client.get_object(Bucket=self.bucket, Key=key)
            return found["Body"].read()
        except self._failures as exc:
            if _is_missing(exc):
                return None
            raise self._failed("read", exc) from None

    def size(self, workspace: str, sha256: str) -> int | None:
        """The object's size, or None when there is no such object."""
        key = self.key(workspace, sha256)
        try:
            return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except self._failures as exc:
            if _is_missing(exc):
                return None
            raise self._failed("read", exc) from None

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()

    def _failed(self, done: str, exc: BaseException) -> BlobStoreError:
        reason = redact(f"{type(exc).__name__}: {exc}".splitlines()[0], self._secrets)
        return BlobStoreError(
            f"The originals' object storage {self.location} cannot be {done} ({reason}); "
            "check VISION_BLOB_URL, that the bucket exists, the endpoint (AWS_ENDPOINT_URL_S3) "
            "and the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)."
        )


def _is_missing(exc: BaseException) -> bool:
    response: Any = getattr(exc, "response", None)
    code = str((response or {}).get("Error", {}).get("Code", ""))
    return code in _MISSING
