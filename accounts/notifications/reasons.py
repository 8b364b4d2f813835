"""Why a message is sent: each reason is registered once by the app that sends it, optional or mandatory.

Apps register their reasons in `<app>/reminders.py`; `AccountsConfig.ready` imports every installed app's
`reminders` module, so the registry is complete in the web process (preferences page) and in the worker alike.
A mandatory reason (a deadline) cannot be muted; an optional one (a quota reminder) can.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Reason:
    code: str
    label: str | Promise
    mandatory: bool
    help: str | Promise = ""


_REGISTRY: dict[str, Reason] = {}


def reason_register(code: str, label: str | Promise, *, mandatory: bool, help: str | Promise = "") -> Reason:
    """Register (or re-register with the same meaning) a reason; its code is part of every sent-message key."""
    reason = Reason(code=code, label=label, mandatory=mandatory, help=help)
    known = _REGISTRY.get(code)
    if known is not None and known.mandatory != mandatory:
        raise ValueError(f"Reason {code!r} is already registered with mandatory={known.mandatory}")
    _REGISTRY[code] = reason
    return reason


def reason_get(code: str) -> Reason:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise ValueError(f"Unknown notification reason {code!r}: register it with reason_register") from None


def reasons_all() -> list[Reason]:
    return sorted(_REGISTRY.values(), key=lambda r: (r.mandatory, r.code))
