"""The deployment files agree with the app: docker is not available here, so what can be checked
without it is checked as text (deploy/README.md says what is not tested)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from vision.history.blobs.config import BLOB_URL_ENV, blob_store_from_env
from vision.history.blobs.s3 import S3BlobStore
from vision.history.config import DATABASE_URL_ENV
from vision.team import gate, spending
from vision.team.access import AccessPolicy

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_two_replicas_share_one_configuration_and_one_database():
    compose = (DEPLOY / "compose.yaml").read_text()
    assert re.search(r"^  app1: \*app$", compose, re.MULTILINE)
    assert re.search(r"^  app2: \*app$", compose, re.MULTILINE)
    assert f"{DATABASE_URL_ENV}: postgresql://vision:" in compose
    assert "@db:5432/vision" in compose
    # One secrets file for both, where Streamlit reads it in the image's working directory.
    assert "./secrets.toml:/app/.streamlit/secrets.toml:ro" in compose
    assert "WORKDIR /app" in (DEPLOY / "Dockerfile").read_text()


def test_every_setting_compose_passes_is_one_the_app_reads():
    compose = (DEPLOY / "compose.yaml").read_text()
    read = {
        DATABASE_URL_ENV, BLOB_URL_ENV, "IOINTELLIGENCE_API_KEY",
        spending.PERSON_TOKENS_ENV, spending.PERSON_DOLLARS_ENV,
        spending.TEAM_TOKENS_ENV, spending.TEAM_DOLLARS_ENV,
        gate.MAX_IN_FLIGHT_ENV, gate.MAX_IN_FLIGHT_PER_PERSON_ENV,
    }  # fmt: skip
    passed = set(re.findall(r"^    ((?:VISION|IOINTELLIGENCE)_[A-Z_]+):", compose, re.MULTILINE))
    assert passed == read


def _setting(compose: str, name: str) -> str:
    found = re.search(rf"^ +{name}: (.+)$", compose, re.MULTILINE)
    assert found, name
    return found.group(1)


def test_the_replicas_keep_originals_in_the_bucket_the_object_store_makes():
    compose = (DEPLOY / "compose.yaml").read_text()
    blob_url = _setting(compose, BLOB_URL_ENV)
    endpoint = _setting(compose, "AWS_ENDPOINT_URL_S3")
    store = blob_store_from_env(None, {BLOB_URL_ENV: blob_url})
    assert isinstance(store, S3BlobStore)
    store.close()
    # The bucket the one-off service makes, on the service the endpoint names, with the
    # user and password the object store is started with.
    assert f"mc mb --ignore-existing blobs/{store.bucket}" in compose
    assert endpoint == "http://blobs:9000"
    assert re.search(r"^  blobs:$", compose, re.MULTILINE)
    assert _setting(compose, "AWS_ACCESS_KEY_ID") == _setting(compose, "MINIO_ROOT_USER")
    assert _setting(compose, "AWS_SECRET_ACCESS_KEY") == "${BLOB_PASSWORD:?set it in deploy/.env}"
    assert "MINIO_ROOT_PASSWORD: ${BLOB_PASSWORD:?set it in deploy/.env}" in compose
    assert "condition: service_completed_successfully" in compose
    assert "BLOB_PASSWORD=" in (DEPLOY / ".env.example").read_text()


def test_the_proxy_is_sticky_and_checks_the_health_path_streamlit_serves():
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "reverse_proxy app1:8501 app2:8501" in caddy
    assert re.search(r"^\s+lb_policy cookie \w+$", caddy, re.MULTILINE)
    assert "health_uri /_stcore/health" in caddy
    assert "/_stcore/health" in (DEPLOY / "Dockerfile").read_text()


def test_the_example_secrets_turn_on_sign_in_and_the_allow_list():
    example = (DEPLOY / "secrets.toml.example").read_text()
    for name in ("redirect_uri", "cookie_secret", "client_id", "client_secret",
                 "server_metadata_url", "allowed", "admins"):  # fmt: skip
        assert re.search(rf"^{name} = ", example, re.MULTILINE), name
    assert "[auth]" in example
    assert "[access]" in example
    # Its [access] is in the forms the app reads: an address, a domain, a sign-in identity.
    policy = AccessPolicy.from_section(tomllib.loads(example)["access"])
    assert policy.admins == (
        "lead@example.com",
        "https://accounts.google.com|123456789012345678901",
    )
    ignored = (DEPLOY.parent / ".gitignore").read_text().splitlines()
    assert "deploy/.env" in ignored
    assert "deploy/secrets.toml" in ignored


def test_the_image_runs_the_app_with_its_download_guard():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert 'CMD ["streamlit", "run", "serve.py",' in dockerfile
    assert "COPY streamlit_app.py serve.py" in dockerfile


def test_the_image_serves_the_team_on_every_address_by_its_own_choice():
    # .streamlit/config.toml (copied into the image) keeps `make run` on loopback; the image
    # says where the team's app listens, and serve.py refuses to start without sign-in there.
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert '"--server.address", "0.0.0.0"' in dockerfile
    assert "COPY .streamlit/config.toml .streamlit/config.toml" in dockerfile
    assert "http://127.0.0.1:8501/_stcore/health" in dockerfile  # inside the container
