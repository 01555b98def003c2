"""Settings: one table of every setting, read from the environment, a bad value refused naming its variable."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from service.settings import OPTIONS, ConfigError, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_but_the_process_role_has_one_environment_variable() -> None:
    assert {o.name for o in OPTIONS} == {f.name for f in fields(Settings)} - {"run_projections"}
    assert len({o.variable for o in OPTIONS}) == len(OPTIONS)


def test_the_environment_gives_typed_values_and_unset_ones_keep_their_defaults() -> None:
    s = Settings.from_env({"QMS_PORT": "9000", "QMS_ENV": "production", "QMS_CORS_ORIGINS": "https://a.example, "
                           "http://localhost:5173/", "QMS_READ_YOUR_WRITES_TIMEOUT": "2.5", "QMS_HOST": ""})
    assert (s.port, s.development, s.cors_origins, s.read_your_writes_timeout, s.host) == (
        9000, False, ("https://a.example", "http://localhost:5173"), 2.5, "127.0.0.1")
    assert Settings.from_env({"QMS_PORT": "9000"}, port=1234).port == 1234


@pytest.mark.parametrize(("env", "named"), [
    ({"QMS_PORT": "eighty"}, "QMS_PORT: 'eighty' is not a whole number"),
    ({"QMS_PORT": "70000"}, "QMS_PORT: must be a port number"),
    ({"QMS_ENV": "prod"}, "QMS_ENV: 'prod' must be development or production"),
    ({"QMS_POOL_MAX": "0"}, "QMS_POOL_MAX: must be more than 0"),
    ({"QMS_POOL_MIN": "20"}, "QMS_POOL_MIN: 20 is more than QMS_POOL_MAX"),
    ({"QMS_CORS_ORIGINS": "qi.example.org"}, "QMS_CORS_ORIGINS: 'qi.example.org' is not an origin"),
    ({"QMS_PERSISTED_ONLY": "maybe"}, "QMS_PERSISTED_ONLY: 'maybe' must be true or false"),
    ({"QMS_PERSISTED_ONLY": "true"}, "QMS_PERSISTED_ONLY: needs QMS_PERSISTED_QUERIES"),
])
def test_a_bad_value_is_refused_with_a_message_naming_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        Settings.from_env(env)


def test_the_description_masks_secrets() -> None:
    rows = dict((v, shown) for v, shown, _ in Settings.from_env(
        {"QMS_JWT_SECRET": "s3cret-value", "DATABASE_URL": "postgresql://u:pw@db/qms"}).describe())
    assert rows["QMS_JWT_SECRET"] == "(set)" and rows["DATABASE_URL"] == "(set)"
    assert "s3cret" not in str(rows) and "pw@" not in str(rows)
    assert rows["QMS_PORT"] == "8000" and rows["QMS_OIDC_ISSUER"] == "(unset)"


def test_the_readme_documents_every_variable() -> None:
    text = README.read_text()
    assert [o.variable for o in OPTIONS if f"`{o.variable}`" not in text] == []
