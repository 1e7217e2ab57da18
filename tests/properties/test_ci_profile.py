"""CI runs every hypothesis test derandomized: the same examples on every run, so a rare
counterexample found by the random tests cannot fail a submission at random."""

from __future__ import annotations

import importlib
import os

import pytest
from hypothesis import settings

from tests.conftest import hypothesis_profile

HYPOTHESIS_MODULES = [
    ("tests.conformance.test_random_conformance", "test_random_traces_agree_with_dovecot"),
    ("tests.faults.test_recovery",
     "test_careful_imap_clients_converge_with_nothing_lost_once_the_faults_stop"),
    ("tests.faults.test_fault_properties", None),
    ("tests.properties.test_properties", None),
    ("tests.mail.test_store_properties", None),
    ("tests.scenario.test_scenario_loader", None),
]


def test_ci_loads_the_derandomized_profile_and_the_env_var_can_override_it() -> None:
    """``CI`` set → ``mailsim-ci`` (derandomized, no example database); unset or false →
    hypothesis' default; ``MAILSIM_HYPOTHESIS_PROFILE`` wins over both."""
    assert hypothesis_profile({"CI": "true"}) == "mailsim-ci"
    assert hypothesis_profile({"CI": "1"}) == "mailsim-ci"
    assert hypothesis_profile({}) == "default"
    assert hypothesis_profile({"CI": "false"}) == "default"
    assert hypothesis_profile({"CI": "true", "MAILSIM_HYPOTHESIS_PROFILE": "default"}) == "default"
    ci = settings.get_profile("mailsim-ci")
    assert ci.derandomize is True and ci.database is None
    assert settings.get_current_profile_name() == hypothesis_profile(os.environ)


@pytest.mark.parametrize(("module", "name"), HYPOTHESIS_MODULES, ids=lambda v: str(v))
def test_every_hypothesis_test_follows_the_loaded_profile(module: str, name: str | None) -> None:
    """No hypothesis test pins ``derandomize`` itself or builds its settings before the
    profile is loaded, so under ``CI`` each one is derandomized."""
    mod = importlib.import_module(module)
    tests = [getattr(mod, name)] if name else [
        obj for obj in vars(mod).values() if hasattr(obj, "_hypothesis_internal_use_settings")
    ]
    machine = getattr(mod, "TestStoreMachine", None)
    found = [t._hypothesis_internal_use_settings for t in tests]
    if machine is not None:
        found.append(machine.settings)
    assert found, f"{module} has no hypothesis test"
    for used in found:
        assert used.derandomize == settings.default.derandomize
