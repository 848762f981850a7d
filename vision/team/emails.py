"""E-mail addresses as the allow-list reads them: one strict form, compared without case.

An address is ASCII, has exactly one `@`, a dot-atom local part (RFC 5322 section 3.2.3: no
quotes, comments or spaces; at most 64 characters) and a domain of two or more host-name labels
(letters, digits and inner hyphens, at most 63 characters each); at most 254 characters in
all. Anything else is not an address here, so `x@gmail.com@team.example` names no domain at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_LENGTH = 64

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """An e-mail address, lower-cased: its local part and its domain."""

    local: str
    domain: str

    def __str__(self) -> str:
        return f"{self.local}@{self.domain}"


def parse_domain(text: str) -> str | None:
    """The domain, lower-cased, when the text is a host name of two or more labels; else None."""
    if not text.isascii():  # checked first: str.lower() turns some non-ASCII letters into ASCII
        return None
    domain = text.lower()
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return domain


def parse_address(text: str) -> EmailAddress | None:
    """The address, lower-cased, when the text is exactly one address in the strict form above;
    else None."""
    if not text.isascii() or len(text) > MAX_ADDRESS_LENGTH or text.count("@") != 1:
        return None
    local, domain_text = text.split("@")
    domain = parse_domain(domain_text)
    if domain is None or len(local) > MAX_LOCAL_LENGTH or not _LOCAL.fullmatch(local):
        return None
    return EmailAddress(local=local.lower(), domain=domain)
