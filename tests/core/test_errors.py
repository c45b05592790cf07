"""One error base, one exit mapping: every input error the CLI reports is a WizardError, and
wizard/__main__.py turns it into one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import pytest

from wizard.__main__ import main
from wizard.catalog.knowledge import KnowledgeError
from wizard.catalog.providers import ProviderError
from wizard.catalog.rules import RuleError
from wizard.explain.inputs import InputError
from wizard.headers.parse import NotAMessage
from wizard.lab.classroom import ClassroomError
from wizard.lab.record import RecordError
from wizard.lab.scenario_file import ScenarioFileError
from wizard.model.errors import WizardError
from wizard.model.findings import ActionError
from wizard.model.target import TargetError
from wizard.output.terminal import EXIT_USAGE
from wizard.records.profiles import ProfileError


@pytest.mark.parametrize("cls", [TargetError, KnowledgeError, ProviderError, RuleError,
                                 InputError, NotAMessage, ClassroomError, RecordError,
                                 ScenarioFileError, ActionError, ProfileError])
def test_every_input_error_is_a_wizard_error_and_still_a_value_error(cls):
    assert issubclass(cls, WizardError) and issubclass(cls, ValueError)
    assert cls.exit_status == EXIT_USAGE


def test_a_command_that_names_itself_says_so_in_the_one_line(tmp_path, capsys):
    status = main(["kb", "--knowledge", str(tmp_path / "missing"), "list"])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE
    assert err.startswith("smtp-wizard kb: error: ") and len(err.strip().splitlines()) == 1


def test_a_command_that_does_not_name_itself_keeps_the_short_prefix(tmp_path, capsys):
    status = main(["lab", "--record", str(tmp_path / "missing.json")])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE
    assert err.startswith("smtp-wizard: error: ") and "Traceback" not in err
