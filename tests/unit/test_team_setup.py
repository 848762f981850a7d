"""A typo must not turn sign-in off: whatever says "team" (secrets, a PostgreSQL history, the
queue, serve.py) needs an [auth] that can sign people in, or the app refuses with one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.errors import SettingsError, SignInSetupError, VisionError
from vision.settings import read_secrets
from vision.team.setup import SERVE_SIGNAL, environment_signals, require_sign_in, secrets_signals

AUTH = {
    "redirect_uri": "https://vision.example.com/oauth2callback",
    "cookie_secret": "k3Jq0w6m1n5v8Xc2z9b4L7p0s3d6f9g2h5j8",
    "client_id": "vision",
    "client_secret": "client-secret",
    "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
}
ACCESS = {"allowed": ["@team.example"]}
POSTGRES = {"VISION_DATABASE_URL": "postgresql://vision:pw@db:5432/vision"}


def _refusal(secrets: dict[str, object], environ: dict[str, str] | None = None) -> str:
    signals = (*secrets_signals(secrets), *environment_signals(environ or {}))
    with pytest.raises(SignInSetupError) as caught:
        require_sign_in(secrets, signals)
    assert isinstance(caught.value, VisionError)
    return str(caught.value)


def test_auth_typed_with_a_capital_next_to_access_is_refused_naming_the_typo():
    message = _refusal({"Auth": AUTH, "access": ACCESS})
    assert message == (
        "This app is set up for a team ([Auth] is in secrets.toml and [access] is in "
        "secrets.toml) but cannot sign anyone in: secrets.toml has [Auth] but no [auth] "
        "(section names are lower-case); fix .streamlit/secrets.toml as docs/team.md says and "
        "start it again."
    )


@pytest.mark.parametrize(
    "environ",
    [POSTGRES, {"VISION_BATCH_QUEUE": "1"}, {"VISION_BATCH_QUEUE": "yes"}],
    ids=["postgresql", "queue", "queue-yes"],
)
def test_a_team_environment_without_auth_is_refused(environ: dict[str, str]):
    message = _refusal({}, environ)
    assert "secrets.toml has no [auth] section" in message
    assert next(iter(environ)) in message


@pytest.mark.parametrize("missing", list(AUTH))
def test_each_key_st_login_needs_is_named_when_it_is_missing_or_empty(missing: str):
    without = {key: value for key, value in AUTH.items() if key != missing}
    assert f"[auth] is missing {missing};" in _refusal({"auth": without, "access": ACCESS})
    empty = {**AUTH, missing: "  "}
    assert f"[auth] is missing {missing};" in _refusal({"auth": empty})


def test_several_missing_keys_are_named_together():
    message = _refusal({"auth": {"redirect_uri": AUTH["redirect_uri"]}, "access": ACCESS})
    assert "[auth] is missing cookie_secret, client_id, client_secret and server_metadata_url;" in (
        message
    )


def test_the_example_cookie_secret_is_refused_because_anyone_could_forge_a_sign_in():
    message = _refusal({"auth": {**AUTH, "cookie_secret": "change-me"}, "access": ACCESS})
    assert "cookie_secret is shorter than 32 characters" in message
    assert "change-me" not in message  # a secret is never repeated


def test_the_provider_may_sit_in_auth_default_as_streamlit_reads_it():
    provider = {key: AUTH[key] for key in ("client_id", "client_secret", "server_metadata_url")}
    nested = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": AUTH["cookie_secret"],
        "default": provider,
    }
    require_sign_in({"auth": nested}, secrets_signals({"auth": nested}))
    flat_provider_but_empty_default = {**AUTH, "default": {"client_id": "x"}}
    assert "client_secret and server_metadata_url" in _refusal(
        {"auth": flat_provider_but_empty_default}
    )


def test_a_complete_auth_passes_whatever_says_team():
    secrets = {"auth": AUTH, "access": ACCESS}
    signals = (*secrets_signals(secrets), *environment_signals(POSTGRES), SERVE_SIGNAL)
    require_sign_in(secrets, signals)


def test_nothing_saying_team_is_the_single_user_app():
    for environ in ({}, {"VISION_BATCH_QUEUE": "0"}, {"VISION_DATABASE_URL": "sqlite:///h.db"}):
        assert environment_signals(environ) == ()
    assert secrets_signals({"IOINTELLIGENCE_API_KEY": "k", "app": {}}) == ()
    require_sign_in({}, ())


def test_serve_py_alone_says_team():
    with pytest.raises(SignInSetupError, match=r"\(it is started as serve\.py\)"):
        require_sign_in({}, (SERVE_SIGNAL,))


def test_a_secrets_file_that_is_not_toml_is_a_sentence(tmp_path: Path):
    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth]\nclient_secret = "unterminated\n')
    with pytest.raises(SettingsError, match=r"cannot be read \(.*\); fix it") as caught:
        read_secrets(broken)
    assert "unterminated" not in str(caught.value)
    assert read_secrets(_written(tmp_path / "ok.toml")) == {"access": {"allowed": ["@x.example"]}}


def _written(path: Path) -> Path:
    path.write_text('[access]\nallowed = ["@x.example"]\n')
    return path
