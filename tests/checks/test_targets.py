from __future__ import annotations

import pytest

from luna.checks.targets import DnsEndpoint, HttpEndpoint, IcmpEndpoint, InvalidTarget, TcpEndpoint, parse_target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://nas.lan/", HttpEndpoint("https://nas.lan/")),
        ("http://[::1]:18015/", HttpEndpoint("http://[::1]:18015/")),
        ("127.0.0.1:53", TcpEndpoint("127.0.0.1", 53)),
        ("[::1]:15354", TcpEndpoint("::1", 15354)),
        ("nas.lan:22", TcpEndpoint("nas.lan", 22)),
        ("tcp://127.0.0.1:15356", TcpEndpoint("127.0.0.1", 15356)),
        ("tcp://[::1]:22", TcpEndpoint("::1", 22)),
        ("dns://127.0.0.1:15353", DnsEndpoint("127.0.0.1", 15353, None, "NS")),
        ("dns://192.0.2.53/nas.lan?type=aaaa", DnsEndpoint("192.0.2.53", 53, "nas.lan", "AAAA")),
        ("dns://[::1]:5353/example.org", DnsEndpoint("::1", 5353, "example.org", "A")),
        ("icmp://router.lan", IcmpEndpoint("router.lan")),
        ("icmp://[::1]", IcmpEndpoint("::1")),
    ],
)
def test_target_forms_parsed(text: str, expected: object) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("htp://127.0.0.1:1", 'unknown scheme "htp://" in "htp://127.0.0.1:1"; did you mean "http://"?'),
        ("::1:15354", "write the address in brackets"),
        ("nas.lan", "has no scheme"),
        ("tcp://nas.lan", "needs a port"),
        ("tcp://nas.lan:99999", "out of range"),
        ("127.0.0.1:0", "out of range"),
        ("tcp://127.0.0.1:0", "out of range"),
        ("tcp://::1:22", "write an IPv6 address in brackets"),
        ("dns://127.0.0.1/x?type=BOGUS", 'unknown DNS record type "BOGUS"'),
        ("dns://127.0.0.1/x?kind=A", 'unknown query parameter "kind"'),
        ("http:///path", "no host name"),
    ],
)
def test_invalid_targets_explained(text: str, message: str) -> None:
    with pytest.raises(InvalidTarget, match=message.replace("?", r"\?").replace("(", r"\(")):
        parse_target(text)
