"""Image URLs that must never be fetched are refused with a reason, before any connection."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES

from vision import URLBlockedError, URLFetchError, fetch_image
from vision.urls.addresses import block_reason, check_url

PUBLIC_IP = "93.184.215.14"  # never contacted: every test that resolves to it stops before connect
REAL_GETADDRINFO = socket.getaddrinfo


def one_sentence(message: str) -> bool:
    return message.endswith(".") and ". " not in message


@pytest.fixture
def no_connect(monkeypatch):
    """Fail the test if anything opens a TCP connection."""

    def refuse(*args, **kwargs):
        pytest.fail(f"a connection was attempted: {args[1:] or kwargs}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def dns(monkeypatch):
    """Answer getaddrinfo for made-up names from a table; record every name looked up."""
    table: dict[str, list[list[str]]] = {}
    lookups: list[str] = []
    every_call: list[str] = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        every_call.append(name)
        if name not in table:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        lookups.append(name)
        answers = table[name]
        addresses = answers[min(len(lookups), len(answers)) - 1]
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)

    class Resolver:
        def answer(self, name: str, *calls: list[str]) -> None:
            table[name] = list(calls)

        @property
        def lookups(self) -> list[str]:
            """Lookups of the made-up names only."""
            return lookups

        @property
        def every_call(self) -> list[str]:
            """Every getaddrinfo call, including urllib3's own call on the pinned IP literal."""
            return every_call

    return Resolver()


BLOCKED_ADDRESSES = [
    ("http://127.0.0.1/", "this machine (127.0.0.1)"),
    ("http://127.8.9.10:8080/", "this machine"),
    ("http://localhost/cat.png", "this machine"),
    ("http://[::1]/", "this machine (::1)"),
    ("http://[::ffff:127.0.0.1]/", "this machine (127.0.0.1)"),
    ("http://10.0.0.5/", "a private network address (10.0.0.5)"),
    ("http://172.16.3.4/", "a private network address"),
    ("http://192.168.1.1/", "a private network address"),
    ("http://[fc00::1]/", "a private network address"),
    ("http://[fd12:3456::1]/", "a private network address"),
    ("http://[fec0::1]/", "a private network address"),
    ("http://169.254.169.254/latest/meta-data/", "link-local or cloud-metadata address"),
    ("http://[fe80::1]/", "link-local"),
    ("https://[fe80::1%25eth0]/", "link-local"),
    ("http://100.64.0.1/", "a carrier-grade NAT address"),
    ("http://100.127.255.254/", "a carrier-grade NAT address"),
    ("http://0.0.0.0/", "an unspecified address"),
    ("http://0.0.0.0:8501/", "an unspecified address"),
    ("http://[::]/", "an unspecified address"),
    ("http://224.0.0.1/", "a multicast address"),
    ("http://[ff02::1]/", "a multicast address"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    ("http://192.0.2.10/", "reserved"),
    ("http://198.18.0.1/", "reserved"),
    # The LibreChat bypass: the hex form of ::ffff:169.254.169.254.
    ("http://[::ffff:a9fe:a9fe]/", "link-local or cloud-metadata address (169.254.169.254)"),
    ("http://[::ffff:169.254.169.254]/", "(169.254.169.254)"),
    ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe, which leads to 169.254.169.254"),
    ("http://[64:ff9b::7f00:1]/", "this machine"),
    ("http://[64:ff9b:1::a00:5]/", "a private network address"),
    ("http://[2002:a9fe:a9fe::1]/", "which leads to 169.254.169.254"),
    ("http://[2002:808:808::1]/", "reserved"),  # 6to4 is deprecated: blocked even when public
    ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffa]/", "which leads to 10.0.0.5"),  # Teredo
    ("http://[::a9fe:a9fe]/", "reserved"),  # deprecated IPv4-compatible form
    ("http://[100::1]/", "reserved"),
    ("http://[2001:db8::1]/", "reserved"),
    # Numeric spellings that inet_aton (and so getaddrinfo) accepts.
    ("http://2130706433/", "this machine (127.0.0.1)"),
    ("http://0x7f.1/", "this machine (127.0.0.1)"),
    ("http://0x7F000001/", "this machine (127.0.0.1)"),
    ("http://017700000001/", "this machine (127.0.0.1)"),
    ("http://0177.0.0.1/", "this machine (127.0.0.1)"),
    ("http://127.1/", "this machine (127.0.0.1)"),
    ("http://0xa9fea9fe/", "(169.254.169.254)"),
    ("http://2852039166/", "(169.254.169.254)"),
    ("HTTP://LOCALHOST/", "this machine"),
]


@pytest.mark.parametrize(("url", "reason"), BLOCKED_ADDRESSES)
@pytest.mark.usefixtures("no_connect")
def test_internal_addresses_are_refused_before_connecting(url, reason):
    with pytest.raises(URLBlockedError) as caught:
        fetch_image(url)
    message = str(caught.value)
    assert message.startswith("This URL points to ")
    assert reason in message
    assert message.endswith("only public images can be fetched.")
    assert one_sentence(message)


BAD_SHAPES = [
    ("file:///etc/passwd", "not file: ones"),
    ("FILE:///etc/passwd", "not file: ones"),
    ("gopher://127.0.0.1:70/_GET", "not gopher: ones"),
    ("ftp://example.com/cat.png", "not ftp: ones"),
    ("data:image/png;base64,iVBORw0KGgo=", "not data: ones"),
    ("javascript:alert(1)", "not javascript: ones"),
    ("example.com/cat.png", "does not start with http:// or https://"),
    ("//example.com/cat.png", "does not start with http:// or https://"),
    ("http://user@example.com/cat.png", "user name or password"),
    ("http://user:secret@example.com/cat.png", "user name or password"),
    ("http://example.com@127.0.0.1/", "user name or password"),
    ("https://:@example.com/", "user name or password"),
    ("http://example.com\\@127.0.0.1/", "backslashes"),
    ("http://exam\nple.com/", "control characters"),
    ("http://example.com/\x00.png", "control characters"),
    ("http:///cat.png", "no server name"),
    ("http://[::1/", "not a valid web address"),
    ("http://example.com:99999/", "not a valid web address"),
    ("http://exa mple.com/", "not a valid web address"),
]


@pytest.mark.parametrize(("url", "reason"), BAD_SHAPES)
@pytest.mark.usefixtures("no_connect")
def test_urls_of_the_wrong_shape_are_refused_before_resolving(url, reason, dns):
    with pytest.raises(URLBlockedError) as caught:
        fetch_image(url)
    assert reason in str(caught.value)
    assert one_sentence(str(caught.value))
    assert dns.every_call == []


@pytest.mark.usefixtures("no_connect")
def test_a_non_string_url_is_a_vision_error():
    with pytest.raises(URLBlockedError, match="paste the image link as text"):
        fetch_image(b"http://example.com/cat.png")  # type: ignore[arg-type]


@pytest.mark.usefixtures("no_connect")
def test_a_name_with_any_private_address_is_refused(dns):
    dns.answer("mixed.example", [PUBLIC_IP, "10.0.0.5"])
    with pytest.raises(URLBlockedError, match=r"a private network address \(10\.0\.0\.5\)"):
        fetch_image("https://mixed.example/cat.png")
    assert dns.lookups == ["mixed.example"]


@pytest.mark.usefixtures("no_connect")
def test_a_public_name_resolving_to_the_metadata_service_is_refused(dns):
    dns.answer("metadata.example", ["169.254.169.254"])
    with pytest.raises(URLBlockedError, match="cloud-metadata"):
        fetch_image("http://metadata.example/latest/meta-data/")


@pytest.mark.usefixtures("no_connect")
def test_a_name_resolving_to_mapped_ipv6_metadata_is_refused(dns):
    dns.answer("mapped.example", ["::ffff:a9fe:a9fe"])
    with pytest.raises(URLBlockedError, match=r"\(169\.254\.169\.254\)"):
        fetch_image("http://mapped.example/")


@pytest.mark.usefixtures("no_connect")
def test_an_unknown_name_is_a_fetch_error_not_a_crash(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(URLFetchError, match="could not be found") as caught:
        fetch_image("https://no-such-host.example/cat.png")
    assert one_sentence(str(caught.value))


@pytest.mark.usefixtures("no_connect")
def test_public_hosts_only_on_web_ports(dns):
    dns.answer("images.example", [PUBLIC_IP])
    with pytest.raises(URLBlockedError, match="port 22; only images on the standard web ports"):
        fetch_image("http://images.example:22/cat.png")
    # Loopback mode opens arbitrary ports on this machine only, never on public hosts.
    with pytest.raises(URLBlockedError, match="port 8080"):
        fetch_image("http://images.example:8080/cat.png", allow_loopback=True)


def test_public_names_pass_with_their_one_address(dns):
    dns.answer("images.example", [PUBLIC_IP, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
    target = check_url("https://images.example/cat.png")
    assert (target.scheme, target.host, target.port, target.address) == (
        "https",
        "images.example",
        443,
        PUBLIC_IP,
    )
    assert check_url("http://IMAGES.example:443/a.png").port == 443
    assert dns.lookups == ["images.example", "images.example"]


def test_nat64_of_a_public_address_passes():
    # IPv6-only networks with DNS64 reach every IPv4 site through 64:ff9b::/96.
    assert check_url("http://[64:ff9b::808:808]/").address == "64:ff9b::808:808"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8501/", "http://localhost:9/", "http://[::1]:8080/", "http://127.1/"]
)
def test_loopback_mode_lets_this_machine_through(url):
    assert check_url(url, allow_loopback=True).port in (80, 8501, 9, 8080)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.5:8080/", "private network"),
        ("http://192.168.0.1/", "private network"),
        ("http://169.254.169.254/", "cloud-metadata"),
        ("http://0.0.0.0:8501/", "unspecified"),  # 0.0.0.0 reaches local servers on Linux
        ("http://[::]:8501/", "unspecified"),
        ("http://[64:ff9b::a00:5]/", "private network"),
    ],
)
@pytest.mark.usefixtures("no_connect")
def test_loopback_mode_keeps_everything_else_blocked(url, reason):
    with pytest.raises(URLBlockedError, match=reason):
        fetch_image(url, allow_loopback=True)


def test_a_redirect_refusal_says_it_was_a_redirect():
    with pytest.raises(URLBlockedError, match=r"^The image URL redirected to this machine"):
        check_url("http://127.0.0.1/", redirected=True)


def test_dns_rebinding_connects_to_the_first_answer_only(dns, monkeypatch):
    """A name checked as public then re-resolved to 127.0.0.1 must be reached at the checked IP."""
    dns.answer("rebind.example", [PUBLIC_IP], ["127.0.0.1"])
    attempts: list[tuple[str, int]] = []

    def record_and_refuse(sock, address):
        attempts.append(address[:2])
        raise ConnectionRefusedError("test: no traffic leaves this machine")

    monkeypatch.setattr(socket.socket, "connect", record_and_refuse)
    with pytest.raises(URLFetchError, match=r"Could not connect to rebind\.example"):
        fetch_image("http://rebind.example/cat.png")
    assert dns.lookups == ["rebind.example"]
    assert "127.0.0.1" not in dns.every_call
    assert attempts == [(PUBLIC_IP, 80)]


@pytest.mark.parametrize("network", EXTRA_BLOCKED_NET_RANGES, ids=str)
def test_every_range_requests_hardened_adds_is_blocked_here_too(network):
    assert block_reason(network.network_address) is not None
    assert block_reason(network[1]) is not None


@pytest.mark.parametrize(
    "address",
    [PUBLIC_IP, "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"],
)
def test_public_addresses_are_allowed(address):
    assert block_reason(ipaddress.ip_address(address)) is None
