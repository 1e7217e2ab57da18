"""Small scenario texts for tests, built from a few knobs so each test states what matters."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario import Scenario, parse_scenario


def two_devices(protocol: str, client: str, days: int = 5, receive: str = "30/d",
                send: str = "0/d", extra: str = "", seed: int = 1, quiet: str = "") -> str:
    """One person with a laptop and a phone, both always online, same protocol and client."""
    quiet_line = f"quiet: {quiet}\n" if quiet else ""
    return f"""\
mailsim: 1
name: two-devices
seed: {seed}
duration: {days}d
{quiet_line}networks:
  lan: {{latency: 5ms, bandwidth: 100Mbit}}
users:
  - name: ann
    mail: {{receive: {receive}, send: {send}, size: 50KB}}
    habits: {{check_every: 1h, delete: 0.2, archive: 0.2, flag: 0.1, reply: 0.1}}
    devices:
      - {{name: laptop, protocol: {protocol}, client: {client}, network: lan, uses: 0.5}}
      - {{name: phone, protocol: {protocol}, client: {client}, network: lan, uses: 0.5}}
{extra}"""


def load(text: str) -> Scenario:
    """Parse a scenario text (errors name '<test>')."""
    return parse_scenario(text, "<test>")


def write(tmp: Path, text: str, name: str = "s.yaml") -> Path:
    """Write a scenario file and return its path."""
    path = tmp / name
    path.write_text(text)
    return path
