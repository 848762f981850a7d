"""What the app checks before any page: a plain notice when the app listens on the network
without sign-in."""

from __future__ import annotations

import streamlit as st

from vision.team.access import Person
from vision.team.listening import beyond_loopback, listening_on

NETWORK_NOTICE = (
    "Anyone who can reach this computer over the network can use this app, spend its key and "
    "read its History: it listens on {where} and nobody signs in. To keep it to this computer, "
    "start it with `make run` (it listens on 127.0.0.1 only); to serve a team, set up sign-in "
    "(docs/team.md)."
)


def network_notice(person: Person) -> None:
    """A warning above every page while the app, without sign-in, listens beyond loopback."""
    address = st.get_option("server.address")
    if person.signed_in or not beyond_loopback(address):
        return
    st.warning(NETWORK_NOTICE.format(where=listening_on(address)), icon=":material/public:")
