"""The Redis cache backend (config.cache): one redis-py client per pool, and a working cache on the real Redis."""

import os

import pytest

from config.cache import RedisCache
from tests.conftest import require_service

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def redis_cache():
    require_service(bool(REDIS_URL), "Redis (REDIS_URL)")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "yuren-test-cache-backend"})
    yield cache
    cache.clear()


def test_the_backend_keeps_one_client_per_pool(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client("some key") is client


def test_the_backend_stores_reads_and_drops_through_the_kept_client(redis_cache):
    redis_cache.set("a", {"n": 1})
    redis_cache.set_many({"b": [2], "c": "三"})
    assert redis_cache.get_many(["a", "b", "c", "missing"]) == {"a": {"n": 1}, "b": [2], "c": "三"}
    assert redis_cache.add("counter", 1)
    assert not redis_cache.add("counter", 5)
    assert redis_cache.incr("counter") == 2
    redis_cache.delete_many(["a", "b"])
    assert redis_cache.get_many(["a", "b", "c"]) == {"c": "三"}


def test_the_deployed_settings_use_it_when_redis_is_configured(settings):
    # settings.py picks the backend from REDIS_URL at import time; the test run's own settings show which.
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend == ("config.cache.RedisCache" if REDIS_URL else "django.core.cache.backends.locmem.LocMemCache")
