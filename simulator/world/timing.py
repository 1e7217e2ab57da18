"""The world's fixed times, in seconds, in one place: calendar units, how often the world
samples and sweeps, how long a sender retries, and the grace a person gives IDLE push.
(Times a scenario sets, such as a server's autologout, come from the scenario.)"""

from __future__ import annotations

HOUR = 3600.0
DAY = 86_400.0
WEEK = 7 * DAY

SAMPLE_EVERY = HOUR  # the hourly "tick" of the time series
MIN_WAIT = 1e-3  # the shortest sleep before a schedule is looked at again

AWAKE = (7 * HOUR, 23 * HOUR)  # when people check their mail (time of day)
IDLE_GRACE = 60.0  # how soon after reaching the server a person expects pushed mail

RETRY_EVERY = 30 * 60.0  # a sender's retries of a deferred delivery (SEMANTICS 21)
GIVE_UP_AFTER = 5 * DAY  # when a sender gives up and bounces
RETENTION_SWEEP = DAY  # how often the server expunges mail older than its retention
PROGRAM_TIMEOUT = 300.0
"""Wall-clock seconds a device's real program may run before it is killed (issue 12)."""
