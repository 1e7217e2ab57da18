"""Mail submission (SMTP, RFC 6409): sending is not POP3 or IMAP, but it costs the device."""

from __future__ import annotations

from simulator.mail.message import Message, command_cost
from simulator.mail.reply import Reply


class Submission:
    """The organisation's submission server; it accepts every message a client sends."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, msg: Message) -> Reply:
        """MAIL FROM, RCPT TO, DATA + body: three round trips and the message up."""
        self.sent.append(msg)
        return Reply(True, msg.mid, command_cost(up=msg.size, round_trips=3))
