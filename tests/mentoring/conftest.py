"""Fixtures of the mentoring tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine_calls(monkeypatch):
    """The semesters the dashboards ask the engine for, in order."""
    from mentoring.selectors import dashboards

    calls = []
    real = dashboards.compliance_report

    def counted(**kwargs):
        calls.append(kwargs["semester"].pk)
        return real(**kwargs)

    monkeypatch.setattr(dashboards, "compliance_report", counted)
    return calls
