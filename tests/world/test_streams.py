"""Named random streams: a draw is fixed by its names alone, and a person's draws that
share their first names (``Draws``) are the very same numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.world.streams import Draws, derive, uniform

_NAME = st.text(max_size=12) | st.integers(-(2**70), 2**70)


@given(st.integers(0, 2**64), st.lists(_NAME, max_size=3), st.lists(_NAME, min_size=1,
                                                                     max_size=3))
def test_draws_with_a_shared_prefix_are_the_named_uniform_draws(
        seed: int, prefix: list[object], names: list[object]) -> None:
    """``Draws(seed, *prefix).uniform(*names)`` is ``uniform(seed, *prefix, *names)``, for
    any names, and stays so when the same prefix is drawn from again."""
    draws = Draws(seed, *prefix)
    expected = uniform(seed, *prefix, *names)
    assert draws.uniform(*names) == expected
    assert draws.uniform(*names) == expected


def test_a_draw_depends_on_every_name_and_on_the_seed() -> None:
    """Changing the seed or any one name changes the draw; the draw is the named seed
    scaled into [0, 1)."""
    base = uniform(7, "read", "ann", "m1", 3)
    assert base == derive(7, "read", "ann", "m1", 3) / 2**64
    assert 0.0 <= base < 1.0
    others = [uniform(8, "read", "ann", "m1", 3), uniform(7, "act", "ann", "m1", 3),
              uniform(7, "read", "bob", "m1", 3), uniform(7, "read", "ann", "m2", 3),
              uniform(7, "read", "ann", "m1", 4)]
    assert base not in others
