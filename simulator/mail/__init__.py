"""The functional core: the server's store and POP3/IMAP session semantics, no clock."""

import simulator.core  # noqa: F401 - first: it picks the compiled or the source modules
from simulator.mail.message import Cost, Message
from simulator.mail.reply import ProtocolError, Reply
from simulator.mail.store import FOLDERS, Account, OverQuota, StoreEvent

__all__ = [
    "FOLDERS",
    "Account",
    "Cost",
    "Message",
    "OverQuota",
    "ProtocolError",
    "Reply",
    "StoreEvent",
]
