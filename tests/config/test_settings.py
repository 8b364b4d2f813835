import subprocess
import sys

from django.conf import settings


def test_tests_run_in_test_mode():
    assert settings.DJANGO_ENV == "test"


def _run_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run_check({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "yuren.example.edu.cn"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run_check({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_booleans_are_parsed_strictly():
    result = _run_check({"DEBUG": "yes"})
    assert result.returncode != 0
    assert "DEBUG must be 'true' or 'false'" in result.stderr


def test_production_passes_the_deploy_checks():
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "check-deploy-only-7f3a9c2e81b44d6fa0c5e9d2b7184f63aa01",
        "ALLOWED_HOSTS": "yuren.example.edu.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
