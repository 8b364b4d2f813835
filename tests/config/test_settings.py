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


def _setting(name: str, env: dict) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run(  # noqa: S603 - the test's own command and setting name
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_cached_numbers_are_kept_a_day_with_redis_and_5_minutes_per_process_without():
    assert _setting("YUREN_COMPLIANCE_CACHE_SECONDS", {"REDIS_URL": "redis://127.0.0.1:6379/9"}) == "86400"
    assert _setting("YUREN_COMPLIANCE_CACHE_SECONDS", {}) == "300"
    assert _setting("YUREN_COMPLIANCE_CACHE_SECONDS", {"YUREN_COMPLIANCE_CACHE_SECONDS": "60"}) == "60"


def test_a_cache_lifetime_below_one_second_is_refused():
    result = _run_check({"YUREN_COMPLIANCE_CACHE_SECONDS": "0"})
    assert result.returncode != 0
    assert "YUREN_COMPLIANCE_CACHE_SECONDS must be at least 1" in result.stderr


def test_a_session_renewal_interval_not_below_the_idle_timeout_is_refused():
    result = _run_check({"SESSION_IDLE_SECONDS": "600", "SESSION_RENEW_SECONDS": "600"})
    assert result.returncode != 0
    assert "SESSION_RENEW_SECONDS must be at least 0 and less than SESSION_IDLE_SECONDS" in result.stderr
