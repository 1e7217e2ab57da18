"""Mail submission (SMTP, RFC 6409): sending is not POP3 or IMAP, but it costs the device."""

from __future__ import annotations

from simulator.mail.message import Message, command_cost
from simulator.mail.reply import Reply


class Submission:
    """The organisation's submission server; it accepts every message a client sends."""

    def __init__(self, keep: bool = True) -> None:
        """With ``keep``, ``sent`` holds every message accepted, in order (for tests); a
        world's servers keep none: nothing there reads them, and they grow with the run."""
        self.keep = keep
        self.sent: list[Message] = []
        self.accepted = 0

    def send(self, msg: Message) -> Reply:
        """MAIL FROM, RCPT TO, DATA + body: three round trips and the message up."""
        self.accepted += 1
        if self.keep:
            self.sent.append(msg)
        return Reply(True, msg.mid, command_cost(up=msg.size, round_trips=3))
