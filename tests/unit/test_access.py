"""Who may enter a signed-in app: the allow-list, the admins and the workspace of an ID token."""

from __future__ import annotations

import pytest

from vision.errors import VisionError
from vision.team.access import AccessError, AccessPolicy, Denied, Person, admit, workspace_for

ISSUER = "https://id.example.com"


def _claims(email: str, sub: str = "123", **extra: object) -> dict[str, object]:
    return {"iss": ISSUER, "sub": sub, "email": email, "name": "Alice", **extra}


def test_an_address_or_its_domain_on_the_list_lets_a_person_in():
    policy = AccessPolicy.from_section({"allowed": ["Alice@Example.com", "@team.example"]})
    assert policy.admits("alice@example.com")
    assert policy.admits("ALICE@EXAMPLE.COM")
    assert policy.admits("bob@team.example")
    assert not policy.admits("bob@example.com")
    assert not policy.admits("eve@sub.team.example")
    assert not policy.admits("eve@team.example.evil.com")
    assert not policy.admits("team.example")
    assert not policy.admits("@team.example")


def test_a_domain_may_be_written_without_its_at_sign_and_a_string_is_split():
    policy = AccessPolicy.from_section({"allowed": "team.example, carol@other.org"})
    assert policy.admits("x@team.example")
    assert policy.admits("carol@other.org")
    assert not policy.admits("dave@other.org")


def test_no_allow_list_lets_nobody_in_but_the_admins():
    policy = AccessPolicy.from_section({"admins": ["lead@example.com"]})
    assert policy.admits("lead@example.com")
    assert policy.is_admin("LEAD@example.com")
    assert not policy.admits("alice@example.com")
    assert isinstance(admit(_claims("alice@example.com"), AccessPolicy()), Denied)


def test_a_list_that_is_not_addresses_is_refused_with_a_sentence():
    with pytest.raises(AccessError, match=r"\[access\] allowed .* must be a list") as caught:
        AccessPolicy.from_section({"allowed": [1, 2]})
    assert isinstance(caught.value, VisionError)


def test_an_admitted_person_gets_a_stable_workspace_of_their_subject():
    policy = AccessPolicy.from_section({"allowed": ["@example.com"], "admins": ["a@example.com"]})
    first = admit(_claims("a@example.com"), policy)
    again = admit(_claims("a@example.com", name="Renamed"), policy)
    other = admit(_claims("b@example.com", sub="456"), policy)
    assert isinstance(first, Person)
    assert isinstance(again, Person)
    assert isinstance(other, Person)
    assert first.workspace == again.workspace == workspace_for(ISSUER, "123")
    assert other.workspace != first.workspace
    assert first.is_admin
    assert not other.is_admin
    assert first.label == "Alice (a@example.com)"
    # The same subject at another provider is another person.
    assert workspace_for("https://other.example", "123") != first.workspace


def test_an_address_changing_keeps_the_workspace_of_the_subject():
    policy = AccessPolicy.from_section({"allowed": ["@example.com"]})
    before = admit(_claims("a@example.com"), policy)
    after = admit(_claims("alice@example.com"), policy)
    assert isinstance(before, Person)
    assert isinstance(after, Person)
    assert before.workspace == after.workspace


def test_someone_not_on_the_list_gets_one_sentence_naming_their_address():
    denied = admit(_claims("mallory@evil.example"), AccessPolicy(allowed=("@example.com",)))
    assert isinstance(denied, Denied)
    assert denied.reason == (
        "mallory@evil.example is not on this app's allow-list; ask the team lead to add you."
    )


def test_an_unverified_address_or_none_at_all_is_refused():
    policy = AccessPolicy(allowed=("@example.com",))
    unverified = admit(_claims("a@example.com", email_verified=False), policy)
    assert isinstance(unverified, Denied)
    assert "not verified" in unverified.reason
    nameless = admit({"iss": ISSUER, "sub": "1"}, policy)
    assert isinstance(nameless, Denied)
    assert "e-mail address" in nameless.reason
