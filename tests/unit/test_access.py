"""Who may enter a signed-in app: the allow-list, the admins and the workspace of an ID token;
an address counts only when the provider vouches for it, parsed strictly; people may be named by
their sign-in identity (issuer and subject) instead."""

from __future__ import annotations

import pytest

from vision.errors import AccessError, VisionError
from vision.team.access import AccessPolicy, Denied, Person, admit, email_verified, workspace_for
from vision.team.emails import parse_address

ISSUER = "https://id.example.com"
ENTRA = "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"


def _claims(email: str, sub: str = "123", **extra: object) -> dict[str, object]:
    """An ID token's claims as a provider that verified the address sends them."""
    return {
        "iss": ISSUER, "sub": sub, "email": email, "name": "Alice", "email_verified": True,
        **extra,
    }  # fmt: skip


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
    assert unverified.reason == (
        "a@example.com is not verified by your sign-in provider, so this app cannot let you in "
        "by it; verify it there and sign in again, or ask the team lead to add your sign-in "
        f"identity {ISSUER}|123."
    )
    nameless = admit({"iss": ISSUER, "sub": "1"}, policy)
    assert isinstance(nameless, Denied)
    assert "e-mail address" in nameless.reason


LEAD = "lead@team.example"
TEAM = AccessPolicy.from_section({"allowed": ["@team.example"], "admins": [LEAD]})


@pytest.mark.parametrize(
    "verified",
    [None, False, "true", "True", 1, "1", "yes", [True], {"value": True}],
    ids=["missing", "false", "string-true", "string-True", "one", "string-one", "yes", "list",
         "object"],
)  # fmt: skip
def test_only_the_json_true_verifies_an_address_so_an_admins_address_alone_is_not_enough(
    verified: object,
):
    claims = _claims(LEAD, email_verified=verified)
    if verified is None:
        del claims["email_verified"]
    refused = admit(claims, TEAM)
    assert isinstance(refused, Denied)
    assert refused.reason.startswith(f"{LEAD} is not verified by your sign-in provider")
    assert f"{ISSUER}|123" in refused.reason  # what the lead may add to name them instead
    admitted = admit(_claims(LEAD), TEAM)
    assert isinstance(admitted, Person)
    assert admitted.is_admin


def test_entra_ids_verified_domain_claim_counts_only_from_entra_and_only_as_true():
    no_flag = {"iss": ENTRA, "sub": "entra-1", "email": "bob@team.example", "name": "Bob"}
    assert isinstance(admit(no_flag, TEAM), Denied)  # Entra sends no email_verified
    verified_domain = {**no_flag, "xms_edov": True}
    assert email_verified(verified_domain)
    bob = admit(verified_domain, TEAM)
    assert isinstance(bob, Person)
    assert bob.email == "bob@team.example"
    for not_proof in ("true", 1, False):
        assert isinstance(admit({**no_flag, "xms_edov": not_proof}, TEAM), Denied), not_proof
    # The claim means something only from Entra's issuers; another provider's is ignored.
    elsewhere = {**verified_domain, "iss": "https://id.example.com"}
    assert isinstance(admit(elsewhere, TEAM), Denied)
    lookalike = {**verified_domain, "iss": "https://login.microsoftonline.com.evil.example/x"}
    assert isinstance(admit(lookalike, TEAM), Denied)
    # A provider that says the address is unverified is believed, whatever else it sends.
    assert isinstance(admit({**verified_domain, "email_verified": False}, TEAM), Denied)


@pytest.mark.parametrize(
    "email",
    [
        "x@gmail.com@team.example",  # two @: no domain check may read the last one
        "x@gmail.com\n@team.example",
        '"x@gmail.com"@team.example',  # quoted local parts are not taken
        "x@gmail.com (@team.example)",
        "Eve <eve@team.example>",
        "eve@team.example.",
        "eve@team..example",
        "eve@-team.example",
        "eve@team-.example",
        "eve@localhost",
        ".eve@team.example",
        "eve.@team.example",
        "e..ve@team.example",
        "eve@team.exampl\u212a",  # the Kelvin sign lower-cases to an ASCII k
        "eve@t\u0435am.example",  # a Cyrillic e
        "eve\uff20team.example",  # a full-width at sign
        "e" * 65 + "@team.example",
        "@team.example",
        "team.example",
        "",
    ],
)
def test_an_address_that_is_not_exactly_one_plain_address_lets_nobody_in(email: str):
    assert parse_address(email) is None
    refused = admit(_claims(email), TEAM)
    assert isinstance(refused, Denied)
    assert not TEAM.admits(email)
    assert not TEAM.is_admin(email)


def test_addresses_and_domains_are_compared_without_case():
    found = parse_address("Alice.Smith+vision@Team.Example")
    assert found is not None
    assert str(found) == "alice.smith+vision@team.example"
    assert found.domain == "team.example"
    person = admit(_claims("LEAD@TEAM.EXAMPLE"), TEAM)
    assert isinstance(person, Person)
    assert person.is_admin
    assert person.email == LEAD


def test_admins_and_members_may_be_named_by_their_sign_in_identity():
    policy = AccessPolicy.from_section(
        {
            "allowed": [f"{ISSUER}|carol-7", "https://tenant.auth0.example/|google-oauth2|55"],
            "admins": [f"{ISSUER}|lead-1"],
        }
    )
    # No e-mail at all, or an unverified one, does not matter to an identity entry.
    lead = admit({"iss": ISSUER, "sub": "lead-1", "name": "Lead"}, policy)
    assert isinstance(lead, Person)
    assert lead.is_admin
    assert lead.identity == f"{ISSUER}|lead-1"
    assert lead.email == ""
    carol = admit(_claims("carol@elsewhere.example", sub="carol-7", email_verified=False), policy)
    assert isinstance(carol, Person)
    assert not carol.is_admin
    assert carol.email == ""  # an unverified address is neither shown nor recorded
    # A subject may hold "|" (Auth0's do): the issuer ends at the first one.
    auth0 = {"iss": "https://tenant.auth0.example/", "sub": "google-oauth2|55"}
    assert isinstance(admit(auth0, policy), Person)
    # The same subject at another issuer, or another case, is someone else.
    for iss, sub in ((ENTRA, "lead-1"), (ISSUER, "LEAD-1"), (ISSUER + "/", "lead-1")):
        assert isinstance(admit({"iss": iss, "sub": sub}, policy), Denied), (iss, sub)


def test_an_identity_cannot_be_forged_from_an_address_or_a_domain():
    policy = AccessPolicy.from_section({"admins": [f"{ISSUER}|lead-1"]})
    # An address entry never matches an identity, and a verified address no identity.
    assert not policy.admits(f"{ISSUER}|lead-1@team.example")
    assert isinstance(admit(_claims(LEAD, sub="someone-else"), policy), Denied)


@pytest.mark.parametrize(
    ("section", "named"),
    [
        ({"allowed": ["x@gmail.com@team.example"]}, "'x@gmail.com@team.example'"),
        ({"allowed": "alice at team.example"}, "'alice'"),  # a string is split
        ({"admins": ["@team.example"]}, "'@team.example'"),  # admins name people, not domains
        ({"admins": ["https://id.example.com|"]}, "'https://id.example.com|'"),
        ({"allowed": ["id.example.com|sub"]}, "'id.example.com|sub'"),
    ],
)
def test_an_entry_in_none_of_the_forms_is_refused_with_a_sentence_naming_it(
    section: dict[str, object], named: str
):
    with pytest.raises(AccessError) as caught:
        AccessPolicy.from_section(section)
    message = str(caught.value)
    assert named in message
    assert message.startswith("[access] ")
    assert message.endswith("correct it as docs/team.md shows.")


def test_a_token_without_issuer_or_subject_is_refused_with_a_sentence():
    for claims in ({"sub": "1", "email": LEAD, "email_verified": True},
                   {"iss": ISSUER, "email": LEAD, "email_verified": True}):  # fmt: skip
        refused = admit(claims, TEAM)
        assert isinstance(refused, Denied)
        assert "did not say who you are" in refused.reason
