"""A tiny scenario (one person, a laptop on office hours and an always-on phone, two days)
that every variant runs in a few hundredths of a second, for comparison and report tests."""

from __future__ import annotations

from simulator.scenario import Scenario, parse_scenario

TINY = """\
mailsim: 1
name: tiny
seed: 5
duration: 2d
server: {{quota: 50MB}}
users:
  - name: ann
    mail: {{receive: 30/d, send: 4/d, size: 40KB}}
    habits: {{check_every: 1h}}
    devices:
      - {{name: laptop, protocol: imap, uses: 0.5, online: {{weekly: "Mon-Fri 08:00-18:00"}}}}
      - {{name: phone, protocol: imap, uses: 0.5, storage: 1GB}}
{extra}"""


def tiny(extra: str = "") -> Scenario:
    """The tiny scenario, with optional extra top-level YAML (e.g. a variants: block)."""
    return parse_scenario(TINY.format(extra=extra), "<tiny>")
