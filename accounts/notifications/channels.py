"""Delivery through the outside channels: email (SMTP from the environment) and college group robots.

Each function sends one message or raises; the caller records the failure and goes on with the next recipient.
Group robots: WeCom (企业微信) and DingTalk (钉钉) custom robots take a JSON POST of a markdown message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage

from accounts.models import CollegeChannel

WEBHOOK_TIMEOUT_SECONDS = 10
# WeCom refuses markdown content over 4096 bytes; DingTalk allows more. One limit for both keeps it simple.
WEBHOOK_MAX_BYTES = 4000


class DeliveryError(Exception):
    """The channel answered, and the answer was a refusal."""


def absolute_link(link: str) -> str:
    if not link or "://" in link:
        return link
    return settings.YUREN_SITE_URL.rstrip("/") + link


def email_deliver(*, address: str, subject: str, body: str, link: str, connection) -> None:
    text = body + (f"\n\n{absolute_link(link)}" if link else "")
    EmailMessage(subject=subject, body=text, to=[address], connection=connection).send()


def webhook_host_allowed(url: str) -> bool:
    """Only https to the robots' own hosts (YUREN_WEBHOOK_HOSTS): a college admin cannot aim the worker elsewhere."""
    parts = urlsplit(url)
    allowed = set(settings.YUREN_WEBHOOK_HOSTS)
    if parts.hostname in {"127.0.0.1", "localhost"} and parts.hostname in allowed:
        return parts.scheme in ("http", "https")  # a local test server only when explicitly allowed
    return parts.scheme == "https" and parts.hostname in allowed


def _truncate(text: str) -> str:
    data = text.encode()
    if len(data) <= WEBHOOK_MAX_BYTES:
        return text
    return data[: WEBHOOK_MAX_BYTES - 3].decode(errors="ignore") + "…"


def webhook_payload(*, kind: str, subject: str, body: str, link: str) -> dict:
    """The JSON a group robot takes: a markdown message, title first, then the digest and the link."""
    tail = f"\n\n[{absolute_link(link)}]({absolute_link(link)})" if link else ""
    subject = f"【育人】{subject}"  # the brand in every title: DingTalk robots guarded by the keyword 育人 take it
    if kind == CollegeChannel.Kind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": _truncate(f"**{subject}**\n{body}{tail}")}}
    if kind == CollegeChannel.Kind.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": subject, "text": _truncate(f"### {subject}\n\n{body}{tail}")},
        }
    raise DeliveryError(f"Unknown group robot platform {kind!r}")


def webhook_deliver(*, kind: str, url: str, subject: str, body: str, link: str) -> None:
    if not webhook_host_allowed(url):
        raise DeliveryError(f"Webhook host not allowed: {urlsplit(url).hostname}")
    payload = json.dumps(webhook_payload(kind=kind, subject=subject, body=body, link=link)).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme and host checked above)
        url, data=payload, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} from the group robot") from error
    # Both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; a refusal is a non-zero errcode.
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise DeliveryError(f"The group robot refused the message: errcode {errcode}")
