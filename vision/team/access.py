"""Who may use a signed-in app: the allow-list and the admins, and the person an ID token names.

Configured in `.streamlit/secrets.toml` under `[access]`, beside Streamlit's own `[auth]`:
`allowed` lists e-mail addresses (`alice@example.com`), domains (`@example.com`) and sign-in
identities (`ISSUER|SUBJECT`, the ID token's `iss` and `sub`); `admins` lists addresses and
identities. Addresses are compared without regard to case, identities exactly. An address
counts only when the provider says it is verified (docs/team.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vision.errors import AccessError
from vision.history.config import LOCAL_WORKSPACE
from vision.team.emails import EmailAddress, parse_address, parse_domain

ACCESS_SECTION = "access"
ALLOWED_KEY = "allowed"
ADMINS_KEY = "admins"
# A sign-in identity: the issuer (an http(s) URL, which cannot hold a raw "|") and the subject
# after the first "|" (a subject may hold one, as Auth0's "google-oauth2|123" does).
_IDENTITY = re.compile(r"https?://[^|\s]+\|\S.*")
# Microsoft Entra ID sends no email_verified; its optional claim xms_edov is true when the
# address's domain is one the user's tenant has verified (docs/team.md). Only its issuers count.
ENTRA_VERIFIED_DOMAIN_CLAIM = "xms_edov"
_ENTRA_ISSUER_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.partner.microsoftonline.cn",
        "sts.windows.net",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """Who is using the app: their workspace (the history rows they own), verified e-mail, role,
    and their sign-in identity (`ISSUER|SUBJECT`, by which the allow-list may name them)."""

    workspace: str
    email: str = ""
    name: str = ""
    is_admin: bool = False
    signed_in: bool = True
    identity: str = ""

    @property
    def label(self) -> str:
        """How the page names this person: their name and address, or the address alone."""
        if self.name and self.email and self.name != self.email:
            return f"{self.name} ({self.email})"
        return self.email or self.name or self.workspace


# The single-user app: no sign-in, one workspace, everything allowed.
LOCAL_PERSON = Person(workspace=LOCAL_WORKSPACE, name="local", is_admin=True, signed_in=False)


def identity_of(issuer: str, subject: str) -> str:
    """How the allow-list names a sign-in identity: `ISSUER|SUBJECT`."""
    return f"{issuer}|{subject}"


def _entry(text: str, name: str) -> str:
    """One entry as the policy keeps it; AccessError naming it when it is none of the forms."""
    if _IDENTITY.fullmatch(text):
        return text  # issuers and subjects are compared exactly, case included
    if name == ALLOWED_KEY and (text.startswith("@") or "@" not in text):
        domain = parse_domain(text.removeprefix("@"))
        if domain is not None:
            return f"@{domain}"
    address = parse_address(text)
    if address is not None:
        return str(address)
    forms = '"@domain", ' if name == ALLOWED_KEY else ""
    raise AccessError(
        f"[{ACCESS_SECTION}] {name} in .streamlit/secrets.toml has {text!r}, which is not an "
        f'e-mail address, {forms}or "ISSUER|SUBJECT" identity; correct it as docs/team.md '
        "shows."
    )


def _entries(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, Sequence) or not all(isinstance(item, str) for item in value):
        raise AccessError(
            f"[{ACCESS_SECTION}] {name} in .streamlit/secrets.toml must be a list of e-mail "
            f'addresses, "@domain" entries or "ISSUER|SUBJECT" identities, like '
            f'["alice@example.com", "@example.com"].'
        )
    return tuple(_entry(item.strip(), name) for item in value if item.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessPolicy:
    """The allow-list (addresses, "@domain" entries, identities) and the admins (addresses and
    identities), as from_section normalises them."""

    allowed: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | None) -> AccessPolicy:
        """The policy in secrets.toml's [access] section (empty when there is none)."""
        section = section or {}
        admins = _entries(section.get(ADMINS_KEY), ADMINS_KEY)
        return cls(allowed=_entries(section.get(ALLOWED_KEY), ALLOWED_KEY), admins=admins)

    def admits(self, email: str | None, identity: str = "") -> bool:
        """True when this (verified) address, its domain, or this sign-in identity is on the
        allow-list; admins always are."""
        if self.is_admin(email, identity):
            return True
        if identity and identity in self.allowed:
            return True
        address = parse_address(email or "")
        return address is not None and (
            str(address) in self.allowed or f"@{address.domain}" in self.allowed
        )

    def is_admin(self, email: str | None, identity: str = "") -> bool:
        """True for an address or a sign-in identity listed under admins."""
        if identity and identity in self.admins:
            return True
        address = parse_address(email or "")
        return address is not None and str(address) in self.admins


def workspace_for(issuer: str, subject: str) -> str:
    """The stable workspace of an ID token's subject at its issuer (opaque, the same each time)."""
    digest = hashlib.sha256(f"{issuer}\0{subject}".encode()).hexdigest()
    return f"oidc-{digest[:32]}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Denied:
    """Someone signed in whom the allow-list does not admit: the sentence they see."""

    email: str
    reason: str


def _claim(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def email_verified(claims: Mapping[str, Any]) -> bool:
    """True when the provider vouches for the address: email_verified is the JSON true (not
    "true", not 1), or, where the token has no email_verified, Entra ID's xms_edov is true."""
    if "email_verified" in claims:
        return claims["email_verified"] is True
    issuer = urlsplit(_claim(claims, "iss"))
    from_entra = issuer.scheme == "https" and issuer.hostname in _ENTRA_ISSUER_HOSTS
    return from_entra and claims.get(ENTRA_VERIFIED_DOMAIN_CLAIM) is True


def _refusal(raw_email: str, address: EmailAddress | None, identity: str) -> str:
    if not raw_email:
        return (
            "Your sign-in did not give this app an e-mail address, so it cannot let you in; ask "
            "the team lead to check the provider's scopes, or to add your sign-in identity "
            f"{identity}."
        )
    if address is None:
        return (
            "Your sign-in gave this app an e-mail address it cannot read, so it cannot let you "
            f"in by it; ask the team lead to add your sign-in identity {identity} instead."
        )
    return (
        f"{address} is not verified by your sign-in provider, so this app cannot let you in by "
        "it; verify it there and sign in again, or ask the team lead to add your sign-in "
        f"identity {identity}."
    )


def admit(claims: Mapping[str, Any], policy: AccessPolicy) -> Person | Denied:
    """The person an ID token's claims name when the policy lets them in, else why not."""
    subject, issuer = _claim(claims, "sub"), _claim(claims, "iss")
    raw_email = _claim(claims, "email")
    if not subject or not issuer:
        return Denied(
            email="",
            reason="Your sign-in did not say who you are (no issuer or subject), so this app "
            "cannot let you in; ask the team lead to check the sign-in provider.",
        )
    identity = identity_of(issuer, subject)
    address = parse_address(raw_email)
    verified = str(address) if address is not None and email_verified(claims) else ""
    if policy.admits(verified, identity):
        return Person(
            workspace=workspace_for(issuer, subject),
            email=verified,
            name=_claim(claims, "name"),
            is_admin=policy.is_admin(verified, identity),
            identity=identity,
        )
    if verified:
        return Denied(
            email=verified,
            reason=f"{verified} is not on this app's allow-list; ask the team lead to add you.",
        )
    return Denied(email=str(address or ""), reason=_refusal(raw_email, address, identity))
