"""Named target profiles: the target form's fields saved as TOML in the user config dir.

``profiles.toml`` under ``platformdirs.user_config_dir("smtp-wizard")`` (or
``$SMTP_WIZARD_CONFIG_DIR``) holds one ``[profiles.NAME]`` table per profile. Values are the
form's text fields; a password or token is never written, whatever the caller passes. Files are
replaced atomically with 0600 permissions. No UI here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from wizard.model.errors import WizardError
from wizard.model.target import TARGET_FIELDS
from wizard.output.files import user_dir, write_atomic

ENV_DIR = "SMTP_WIZARD_CONFIG_DIR"
FIELDS = tuple(f.name for f in TARGET_FIELDS if f.profile and f.kind != "secret")
# Keys written by earlier versions, and what they are called now.
RENAMED = {"dkim_selector": "dkim_selectors", "nameserver": "nameservers"}
SECRET_KEYS = frozenset({"password", "oauth_token", "secret", "token"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ProfileError(WizardError):
    """A profile name or file that cannot be used, with a one-line reason."""


def config_dir() -> Path:
    return user_dir("config", ENV_DIR)


def profiles_path() -> Path:
    return config_dir() / "profiles.toml"


def validate_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise ProfileError(
            f"invalid profile name {name!r}: use letters, digits, '.', '_' or '-' (max 64)")
    return name


def _load_all() -> dict[str, dict[str, str]]:
    path = profiles_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"cannot read {path}: {exc}") from None
    table = data.get("profiles")
    if not isinstance(table, dict):
        return {}
    return {str(name): clean(values) for name, values in table.items()
            if isinstance(values, dict)}


def clean(values: dict[str, Any]) -> dict[str, str]:
    """Only the known, non-secret, non-empty fields, as strings."""
    values = {RENAMED.get(key, key): value for key, value in values.items()}
    return {key: str(values[key]) for key in FIELDS
            if key in values and key not in SECRET_KEYS and values[key] not in (None, "")}


def list_profiles() -> list[str]:
    return sorted(_load_all())


def load_profile(name: str) -> dict[str, str]:
    profiles = _load_all()
    if name not in profiles:
        raise ProfileError(f"no profile named {name!r}")
    return profiles[name]


def save_profile(name: str, values: dict[str, Any]) -> Path:
    """Save (or replace) profile ``name``; returns the file written."""
    name = validate_name(name)
    profiles = _load_all()
    profiles[name] = clean(values)
    return _write({"profiles": profiles})


def delete_profile(name: str) -> None:
    profiles = _load_all()
    if profiles.pop(name, None) is not None:
        _write({"profiles": profiles})


def _write(document: dict[str, Any]) -> Path:
    import tomli_w

    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, tomli_w.dumps(document))
    return path
