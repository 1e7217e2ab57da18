"""The shapes of summary.json's metric blocks, one TypedDict each, so that a reader knows
the keys (DESIGN: results contract). They are plain dicts at run time: summary.json is
written with sorted keys, so its bytes do not depend on these declarations."""

from __future__ import annotations

from typing import NotRequired, TypedDict


# -- verdict ---------------------------------------------------------------------------
class VerdictBlock(TypedDict):
    """``verdict``: whether the run broke no invariant, with the first violations."""

    valid: bool
    violations: list[str]
    violation_count: int


# -- consistency -----------------------------------------------------------------------
class Witness(TypedDict):
    """One example of an anomaly: which message, on which device, when, and its story."""

    mid: str
    device: str
    t: float
    what: str
    story: NotRequired[str]


class Propagation(TypedDict):
    """``consistency.propagation_s``: delays until a change showed on a device."""

    p50: float | None
    p95: float | None
    max: float | None
    count: int
    quantiles: list[list[float | None]]  # [[percent, seconds], ...], the CDF


class ConsistencyBlock(TypedDict):
    """``consistency``: how far devices agree with the person's intent, and anomalies."""

    agreement: float | None
    final_agreement: float | None
    divergent_messages: int
    missing_reads: int
    propagation_s: Propagation
    unpropagated: int
    anomalies: dict[str, int]  # by kind: duplicate, resurrected, lost_flag_change, local_only
    anomaly_witnesses: dict[str, list[Witness]]


class DeviceConsistency(TypedDict):
    """One device's agreement figures (part of its ``devices`` block)."""

    agreement: float | None
    final_agreement: float | None
    divergent_messages: int


# -- storage ---------------------------------------------------------------------------
class ServerStorageBlock(TypedDict):
    """``server_storage``: bytes on the server over time, and what the quota did."""

    peak_bytes: int
    mean_bytes: int
    final_bytes: int
    quota_bytes: int | None
    bounced: int
    deferred: int
    time_over_quota_s: float | None


class AccountStorage(TypedDict):
    """One account's server figures (part of its ``users`` block)."""

    server_peak_bytes: int
    server_mean_bytes: int
    server_final_bytes: int
    bounced: int
    deferred: int


class DeviceStored(TypedDict):
    """One device's peak and final stored bytes."""

    peak_bytes: int
    final_bytes: int


class DeviceStorageBlock(TypedDict):
    """``device_storage``: the largest device and every device's bytes."""

    peak_bytes: int
    per_device: dict[str, DeviceStored]


# -- reads -----------------------------------------------------------------------------
class OfflineBlock(TypedDict):
    """``offline_availability``: reads tried while offline, and how many worked."""

    attempts: int
    succeeded: int
    ratio: float | None


class Latency(TypedDict):
    """``reads.fetch_latency_s``: how long online fetches took."""

    p50: float | None
    p95: float | None


class ReadsBlock(TypedDict):
    """``reads``: every read attempt, and online fetch latency."""

    attempts: int
    succeeded: int
    ratio: float | None
    fetch_latency_s: Latency


class DeviceReads(TypedDict):
    """One device's read figures (part of its ``devices`` block)."""

    read_attempts: int
    reads_succeeded: int
    offline_attempts: int
    offline_availability: float | None
    missing_reads: int


# -- durability ------------------------------------------------------------------------
class Removal(TypedDict):
    """Where a message last existed, when it went and what removed it."""

    last_place: str
    removed_at_s: float | None
    removed_by: str | None


class LostExample(Removal):
    """A message that exists nowhere at the end, with its story."""

    mid: str
    user: str
    last_seen: str
    story: NotRequired[str]


class DurabilityBlock(TypedDict):
    """``durability``: messages the person expects that exist nowhere."""

    lost: int
    lost_examples: list[LostExample]
    per_user: dict[str, int]
    lost_by_cause: dict[str, int]


# -- traffic ---------------------------------------------------------------------------
class TrafficBlock(TypedDict):
    """``traffic``: bytes each way, connections and round trips."""

    bytes_down: int
    bytes_up: int
    connections: int
    round_trips: int


class SecurityBlock(TypedDict):
    """``security``: logins whose password crossed the network in clear."""

    plaintext_logins: int


class DeviceTraffic(TrafficBlock, SecurityBlock):
    """One device's traffic figures (part of its ``devices`` block)."""


# -- faults ----------------------------------------------------------------------------
class Outages(TypedDict):
    """``faults.outages``: the server's outages."""

    count: int
    down_s: float | None


class Partitions(TypedDict):
    """``faults.partitions``: partitions and the time any was in force."""

    count: int
    active_s: float | None


class LinkDowntime(TypedDict):
    """One network link's failures."""

    times_down: int
    down_s: float | None


class ServerDowntime(TypedDict):
    """A further server's outages."""

    outages: int
    down_s: float | None


class FaultsBlock(TypedDict):
    """``faults``: what went wrong, how often and for how long."""

    outages: Outages
    partitions: Partitions
    links: dict[str, LinkDowntime]
    connection_drops: dict[str, int]  # total, then by moment and by cause
    unreachable_s: dict[str, float | None]
    devices_lost: int
    uidvalidity_resets: int
    other_servers: NotRequired[dict[str, ServerDowntime]]


# -- per device, per user, per account -------------------------------------------------
class DeviceBlock(DeviceConsistency, DeviceReads, DeviceTraffic):
    """``devices.<id>``: one device's agreement, reads, storage and traffic."""

    storage_peak_bytes: int
    storage_final_bytes: int


class UserBlock(AccountStorage):
    """``users.<name>``: one account's devices, agreement, server figures and losses."""

    devices: list[str]
    agreement: float | None
    lost: int


class AccountBlock(TypedDict):
    """``accounts.per_account.<name>``: whose account it is, where, and its mail."""

    person: str
    server: str
    delivered: int
    server_peak_bytes: int
    server_final_bytes: int


class Inboxes(TypedDict):
    """``accounts.per_device.<id>``: how many Inboxes a device's new mail went to."""

    inboxes: int
    merged_share: float


class AccountsBlock(TypedDict):
    """``accounts`` (claim P8): further accounts, and merged or separate Inboxes."""

    merged_inbox_share: float | None
    inboxes_per_device: float | None
    per_account: dict[str, AccountBlock]
    per_device: dict[str, Inboxes]


# -- all of them -----------------------------------------------------------------------
class Metrics(TypedDict):
    """Every metric block of summary.json (the runner adds the scenario header)."""

    verdict: VerdictBlock
    consistency: ConsistencyBlock
    server_storage: ServerStorageBlock
    offline_availability: OfflineBlock
    reads: ReadsBlock
    device_storage: DeviceStorageBlock
    durability: DurabilityBlock
    traffic: TrafficBlock
    security: SecurityBlock
    faults: FaultsBlock
    devices: dict[str, DeviceBlock]
    users: dict[str, UserBlock]
    accounts: NotRequired[AccountsBlock]
