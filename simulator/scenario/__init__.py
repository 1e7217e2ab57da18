"""Scenario files: YAML -> validated, fully-resolved `Scenario`; units; `file:line:col` errors."""

from .decision import DecisionSettings, Limits
from .devices import ClientSettings, DeviceRef, DeviceSpec, ResolvedDevice
from .errors import ScenarioError
from .events import (
    AddEvent,
    AddSpec,
    DeliverEvent,
    Delivery,
    DropEvent,
    Event,
    LoseEvent,
    OfflineEvent,
    PartitionEvent,
    ServerEvent,
    UserActionEvent,
)
from .links import Uptime
from .loader import json_schema, load_scenario, parse_scenario, scenario_sha256
from .models import Habits, Mail, Network, Outage, ServerConfig, Size
from .scenario import Scenario
from .units import (
    format_bandwidth,
    format_duration,
    format_rate,
    format_size,
    parse_at,
    parse_bandwidth,
    parse_duration,
    parse_rate,
    parse_size,
)
from .users import ExtraAccount, User, UserGroup
from .variants import BUILTIN_VARIANTS, Variant
from .weekly import WeeklySchedule, format_weekly, parse_weekly

__all__ = [
    "BUILTIN_VARIANTS",
    "AddEvent",
    "AddSpec",
    "ClientSettings",
    "DecisionSettings",
    "DeliverEvent",
    "Delivery",
    "DeviceRef",
    "DeviceSpec",
    "DropEvent",
    "Event",
    "ExtraAccount",
    "Habits",
    "Limits",
    "LoseEvent",
    "Mail",
    "Network",
    "OfflineEvent",
    "Outage",
    "PartitionEvent",
    "ResolvedDevice",
    "Scenario",
    "ScenarioError",
    "ServerConfig",
    "ServerEvent",
    "Size",
    "Uptime",
    "User",
    "UserActionEvent",
    "UserGroup",
    "Variant",
    "WeeklySchedule",
    "format_bandwidth",
    "format_duration",
    "format_rate",
    "format_size",
    "format_weekly",
    "json_schema",
    "load_scenario",
    "parse_at",
    "parse_bandwidth",
    "parse_duration",
    "parse_rate",
    "parse_scenario",
    "parse_size",
    "parse_weekly",
    "scenario_sha256",
]
