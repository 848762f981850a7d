"""What the app checks before any page: a team's sign-in set up soundly, and a plain notice when
the app listens on the network without sign-in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import streamlit as st

from vision.errors import SignInSetupError
from vision.markdown import literal
from vision.team.access import Person
from vision.team.listening import beyond_loopback, listening_on
from vision.team.setup import environment_signals, require_sign_in, secrets_signals

NETWORK_NOTICE = (
    "Anyone who can reach this computer over the network can use this app, spend its key and "
    "read its History: it listens on {where} and nobody signs in. To keep it to this computer, "
    "start it with `make run` (it listens on 127.0.0.1 only); to serve a team, set up sign-in "
    "(docs/team.md)."
)


def _secrets() -> Mapping[str, Any]:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml at all
        return {}


def refuse_unsound_sign_in() -> None:
    """When anything says "team" and [auth] cannot sign anyone in, the page shows only the
    sentence saying what is missing, and stops."""
    secrets = _secrets()
    try:
        require_sign_in(secrets, (*secrets_signals(secrets), *environment_signals(os.environ)))
    except SignInSetupError as err:
        st.error(literal(str(err)), icon=":material/lock:")
        st.stop()


def network_notice(person: Person) -> None:
    """A warning above every page while the app, without sign-in, listens beyond loopback."""
    address = st.get_option("server.address")
    if person.signed_in or not beyond_loopback(address):
        return
    st.warning(NETWORK_NOTICE.format(where=listening_on(address)), icon=":material/public:")
