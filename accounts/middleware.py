"""The idle timeout without a session write on every request; a clear answer when Redis is unreachable."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RENEWED_AT = "_yuren_renewed_at"


class SessionRenewalMiddleware:
    """A session ends SESSION_COOKIE_AGE seconds after it was last saved; a request saves it again (pushing the end
    back) when its last renewal is SESSION_RENEW_SECONDS old or more, not on every request as
    SESSION_SAVE_EVERY_REQUEST would (a database write and commit per page view). So a user idle for the timeout is
    logged out between SESSION_COOKIE_AGE − SESSION_RENEW_SECONDS and SESSION_COOKIE_AGE seconds after their last
    request. Placed after SessionMiddleware, whose response part then saves what this marked as modified.

    Only a session that holds something is renewed (as SessionMiddleware saves only those); a view that put a stand-in
    for the session (the notification badge's polling, which must not count as activity) is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if isinstance(session, SessionBase) and not session.is_empty():
            now = int(time.time())
            renewed = session.get(RENEWED_AT)
            if not isinstance(renewed, int) or not 0 <= now - renewed < settings.SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now  # modified: saved with a fresh expiry
        return response


class ServiceUnavailableMiddleware:
    """A view that could not reach Redis as the cache (redis-py's connection errors) answers 503 with a page that
    says so and asks to try again in a minute, not the generic error page; the API answers in JSON. The request's
    writes are rolled back with the exception (every write service is atomic, and the cache's version tokens are
    changed inside the transaction), so nothing is half-written. The page is plain HTML: the site's frame reads the
    cache. A task that cannot be sent is its sender's to handle (`accounts.tasks.task_send`)."""

    RETRY_AFTER_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (RedisConnectionError, RedisTimeoutError)):
            return None
        logger.error("Redis unavailable during %s %s", request.method, request.path, exc_info=exception)
        if request.path.startswith("/api/"):
            detail = _(
                "A service the portal needs is unavailable for a moment; nothing was saved. Try again in a minute."
            )
            response = JsonResponse({"detail": detail}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
