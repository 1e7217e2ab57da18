"""Client sync logic: the :class:`Client` interface and the built-in POP3 and IMAP clients.

Subclass a client (or :class:`Client`) and name it in a scenario as
``client: {class: "package.module:MyClient"}`` to run your own sync algorithm.
"""

import simulator.core  # noqa: F401 - first: it picks the compiled or the source modules
from simulator.clients.base import Client, Cmd, Conn, ConnectionLost, SyncGen
from simulator.clients.imap import ImapClient
from simulator.clients.local import LocalMsg, LocalStore
from simulator.clients.pop3 import Pop3Client

__all__ = ["Client", "Cmd", "Conn", "ConnectionLost", "ImapClient", "LocalMsg", "LocalStore",
           "Pop3Client", "SyncGen"]
