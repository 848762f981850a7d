"""Who may use a signed-in app: the allow-list and the admins, and the person an ID token names.

Configured in `.streamlit/secrets.toml` under `[access]`, beside Streamlit's own `[auth]`:
`allowed` lists e-mail addresses (`alice@example.com`) and domains (`@example.com`), `admins`
lists addresses. Addresses are compared without regard to case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vision.errors import VisionError
from vision.history.config import LOCAL_WORKSPACE

ACCESS_SECTION = "access"
ALLOWED_KEY = "allowed"
ADMINS_KEY = "admins"


class AccessError(VisionError):
    """The sign-in configuration cannot be used as written."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Who is using the app: their workspace (the history rows they own), e-mail and role."""

    workspace: str
    email: str = ""
    name: str = ""
    is_admin: bool = False
    signed_in: bool = True

    @property
    def label(self) -> str:
        """How the page names this person: their name and address, or the address alone."""
        if self.name and self.email and self.name != self.email:
            return f"{self.name} ({self.email})"
        return self.email or self.name or self.workspace


# The single-user app: no sign-in, one workspace, everything allowed.
LOCAL_PERSON = Person(workspace=LOCAL_WORKSPACE, name="local", is_admin=True, signed_in=False)


def _entries(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, Sequence) or not all(isinstance(item, str) for item in value):
        raise AccessError(
            f"[{ACCESS_SECTION}] {name} in .streamlit/secrets.toml must be a list of e-mail "
            f'addresses or "@domain" entries, like ["alice@example.com", "@example.com"].'
        )
    return tuple(item.strip().lower() for item in value if item.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessPolicy:
    """The allow-list (addresses and "@domain" entries) and the admins' addresses."""

    allowed: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | None) -> AccessPolicy:
        """The policy in secrets.toml's [access] section (empty when there is none)."""
        section = section or {}
        admins = _entries(section.get(ADMINS_KEY), ADMINS_KEY)
        return cls(allowed=_entries(section.get(ALLOWED_KEY), ALLOWED_KEY), admins=admins)

    def admits(self, email: str) -> bool:
        """True when this address, or its domain, is on the allow-list (admins always are)."""
        address = email.strip().lower()
        if "@" not in address or address.startswith("@"):
            return False
        domain = address.rsplit("@", 1)[1]
        for entry in (*self.allowed, *self.admins):
            if entry == address:
                return True
            if entry.lstrip("@") == domain and "@" not in entry.lstrip("@"):
                return True
        return False

    def is_admin(self, email: str) -> bool:
        """True for an address listed under admins."""
        return email.strip().lower() in self.admins


def workspace_for(issuer: str, subject: str) -> str:
    """The stable workspace of an ID token's subject at its issuer (opaque, the same each time)."""
    digest = hashlib.sha256(f"{issuer}\0{subject}".encode()).hexdigest()
    return f"oidc-{digest[:32]}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Denied:
    """Someone signed in whom the allow-list does not admit: the sentence they see."""

    email: str
    reason: str


def admit(claims: Mapping[str, Any], policy: AccessPolicy) -> Person | Denied:
    """The person an ID token's claims name when the policy lets them in, else why not."""
    email = str(claims.get("email") or "").strip()
    subject = str(claims.get("sub") or "").strip()
    issuer = str(claims.get("iss") or "").strip()
    if not email or not subject:
        return Denied(
            email=email,
            reason="Your sign-in did not give this app an e-mail address, so it cannot let "
            "you in; ask the team lead to check the provider's scopes.",
        )
    if claims.get("email_verified") is False:
        return Denied(
            email=email,
            reason=f"{email} is not verified with your sign-in provider; verify it there "
            "and sign in again.",
        )
    if not policy.admits(email):
        return Denied(
            email=email,
            reason=f"{email} is not on this app's allow-list; ask the team lead to add you.",
        )
    return Person(
        workspace=workspace_for(issuer, subject),
        email=email,
        name=str(claims.get("name") or "").strip(),
        is_admin=policy.is_admin(email),
    )
