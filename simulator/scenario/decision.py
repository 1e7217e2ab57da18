"""The scenario's optional `decision:` block: limits every recommended variant must respect
and the organisation's priorities among the decision criteria.

Limits are judged on a variant's mean over the replications of a comparison (a quantity
per run); counts are whole messages, shares are 0..1, sizes and durations take units.
Priorities are either an order (a list of criterion names: those listed come first, the
rest follow in the default order) or weights (a mapping name -> weight: only the criteria
named count, by their weight).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import Field, SerializationInfo, field_validator, model_serializer

from .errors import custom_error
from .fields import Bytes, Duration, Model

CriterionName = Literal[
    "offline_reading", "several_devices", "synchronised_changes", "single_device",
    "device_failure", "server_storage", "device_storage", "traffic", "server_peak",
    "device_peak",
]
"""The criteria the organisation may order or weigh (the guide's G1-G7, then cost)."""

Count = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class Limits(Model):
    """Bounds on a variant's mean per run; a variant outside any of them is not recommended."""

    max_bounced: Count | None = None
    max_lost: Count | None = None
    max_missing_reads: Count | None = None
    max_unpropagated: Count | None = None
    min_agreement: Share | None = None
    min_offline_availability: Share | None = None
    min_read_success: Share | None = None
    max_server_peak: Bytes | None = None
    max_account_peak: Bytes | None = None
    max_device_peak: Bytes | None = None
    max_traffic: Bytes | None = None
    max_time_full: Duration | None = None
    max_propagation_p95: Duration | None = None

    @model_serializer(mode="wrap")
    def _given_only(self, handler: Any, info: SerializationInfo) -> Any:
        """In JSON/YAML, write only the limits that were given."""
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None} if info.mode_is_json() else data

    def set_values(self) -> dict[str, float]:
        """The limits given, by name, in SI units (seconds, bytes, shares, messages)."""
        return {k: float(v) for k, v in self.model_dump().items() if v is not None}


Weight = Annotated[float, Field(ge=0)]


class DecisionSettings(Model):
    """What the organisation requires (`limits`) and cares about first (`priorities`)."""

    limits: Limits = Limits()
    priorities: list[CriterionName] | dict[CriterionName, Weight] | None = None

    @field_validator("priorities", mode="before")
    @classmethod
    def _order_or_weights(cls, value: Any) -> Any:
        """An order names each known criterion at most once; weights are numbers >= 0."""
        if isinstance(value, list):
            for i, name in enumerate(value):
                _known(name, (i,), False)
                if name in value[:i]:
                    raise custom_error(f"criterion {name!r} is listed twice", (i,))
        elif isinstance(value, dict):
            for name, weight in value.items():
                _known(name, name, True)
                number = isinstance(weight, int | float) and not isinstance(weight, bool)
                if not number or weight < 0:
                    raise custom_error(f"expected a weight >= 0, got {weight!r}", name)
        elif value is not None:
            raise ValueError("expected a list of criteria (an order) or a mapping "
                             "criterion: weight")
        return value


CRITERIA: tuple[str, ...] = get_args(CriterionName)


def _known(name: Any, where: str | tuple[int], on_key: bool) -> None:
    """Raise a pinpointed error unless name is a criterion."""
    if name not in CRITERIA:
        raise custom_error(f"unknown criterion {name!r} (expected one of: "
                           f"{', '.join(CRITERIA)})", where, on_key)
