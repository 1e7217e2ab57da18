"""Connection set-up cost and ports (SEMANTICS rule 23, RFC 8314; claims T1, T2).

Round trips before the first command: TCP, TLS (1 for 1.3, 2 for 1.2), the greeting, and
for STARTTLS the extra capability/STARTTLS exchanges. Login and SELECT are costed as
commands by the sessions themselves.
"""

from __future__ import annotations

from typing import Final

from simulator.mail.message import LINE, Cost

PORTS: Final = {
    ("pop3", "none"): 110,
    ("pop3", "starttls"): 110,
    ("pop3", "implicit"): 995,
    ("imap", "none"): 143,
    ("imap", "starttls"): 143,
    ("imap", "implicit"): 993,
}
TLS_HANDSHAKE_DOWN: Final = 4_500
"""Server hello, certificate chain and finished messages."""
TLS_HANDSHAKE_UP: Final = 600


def tls_round_trips(tls_version: str) -> int:
    """Handshake round trips: TLS 1.3 needs one, TLS 1.2 two."""
    return 1 if tls_version == "1.3" else 2


def connect_cost(protocol: str, tls: str, tls_version: str = "1.3") -> Cost:
    """Cost from SYN to the server's greeting being read, ready for LOGIN."""
    tcp_and_greeting = Cost(2, 0, LINE)
    if tls == "none":
        return tcp_and_greeting
    handshake = Cost(tls_round_trips(tls_version), TLS_HANDSHAKE_UP, TLS_HANDSHAKE_DOWN)
    if tls == "implicit":
        return tcp_and_greeting + handshake
    # STARTTLS: CAPABILITY, STARTTLS, the handshake, then CAPABILITY again over TLS.
    extra = Cost(3 if protocol == "imap" else 2, 3 * LINE, 6 * LINE)
    return tcp_and_greeting + handshake + extra


def plaintext_login(tls: str) -> bool:
    """Whether the password crosses the network in clear (report it, rule 23)."""
    return tls == "none"


def port(protocol: str, tls: str) -> int:
    """The well-known port for a protocol and TLS mode (110/995, 143/993)."""
    return PORTS[(protocol, tls)]
