"""A run shares its many small immutable values: the person's intents and every device's
views hold one object per distinct value, compiled or not (compiled code boxes a bare tuple
type anew wherever it stores one, which would cost a tuple per message and device)."""

from __future__ import annotations

from pathlib import Path

from simulator.backend import SERVERS
from simulator.observe.history import End
from simulator.runs.one import observe
from simulator.scenario import load_scenario
from simulator.world.world import World

SMALL_OFFICE = Path(__file__).parents[2] / "scenarios" / "small-office.yaml"


def _distinct(values: list[object]) -> tuple[int, int]:
    """(objects, distinct values) among ``values``."""
    return len({id(v) for v in values}), len(set(values))


def test_intents_and_views_hold_one_object_per_distinct_value() -> None:
    """At the end of a week of the small office, the states the people intend, the rows of
    views the consistency checker keeps, those views and the states inside them are shared
    objects."""
    scenario = load_scenario(SMALL_OFFICE).model_copy(update={"duration": 7 * 86400.0})
    history, observer = observe(scenario)  # stories kept in memory, no file
    found: dict[str, tuple[int, int]] = {}

    def at_end(_: End) -> None:
        check = observer.consistency
        rows = [row for per_user in check.rows.values() for row in per_user.values()]
        views = [v for row in rows for v in row if v is not None]
        found["intended"] = _distinct([s for per_user in check.intent.values()
                                        for s in per_user.values()])
        found["rows"] = _distinct(rows)
        found["views"] = _distinct(views)
        found["view states"] = _distinct([v[0] for v in views])
        found["people's intents"] = _distinct([s for p in world.people.values()
                                               for s in p.intent.values()])

    history.subscribe(End, at_end)
    world = World(scenario, history, backends=SERVERS)
    world.run()
    assert len(found) == 5
    for what, (objects, values) in found.items():
        assert objects == values, f"{what}: {objects} objects for {values} values"
