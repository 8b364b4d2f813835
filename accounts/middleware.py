"""The idle timeout without a session write on every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

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
