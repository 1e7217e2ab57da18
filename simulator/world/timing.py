"""The world's fixed times, in seconds, in one place: calendar units, how often the world
samples and sweeps, how long a sender retries, and the grace a person gives IDLE push.
(Times a scenario sets, such as a server's autologout, come from the scenario.)"""

from __future__ import annotations

from typing import Final

HOUR: Final = 3600.0
DAY: Final = 86_400.0
WEEK: Final = 7 * DAY

SAMPLE_EVERY: Final = HOUR  # the hourly "tick" of the time series
MIN_WAIT: Final = 1e-3  # the shortest sleep before a schedule is looked at again

WAKE: Final = 7 * HOUR  # people check their mail from WAKE to SLEEP (time of day; two
SLEEP: Final = 23 * HOUR  # floats, not a Final tuple: mypyc 2.4 misreads a static one)
IDLE_GRACE: Final = 60.0  # how soon after reaching the server a person expects pushed mail

RETRY_EVERY: Final = 30 * 60.0  # a sender's retries of a deferred delivery (SEMANTICS 21)
GIVE_UP_AFTER: Final = 5 * DAY  # when a sender gives up and bounces
RETENTION_SWEEP: Final = DAY  # how often the server expunges mail older than its retention
PROGRAM_TIMEOUT: Final = 300.0
"""Wall-clock seconds a device's real program may run before it is killed (issue 12)."""
