"""Load the shipped policy 校发〔2022〕50号 and its quota rules (R-03 … R-15) from policy_data/."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "policy_data" / "xiaofa_2022_50.json"


def load(apps, schema_editor):
    PolicyVersion = apps.get_model("mentoring", "PolicyVersion")
    QuotaRule = apps.get_model("mentoring", "QuotaRule")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    version, _ = PolicyVersion.objects.get_or_create(
        code=data["code"],
        defaults={"title": data["title"], "effective_from": date.fromisoformat(data["effective_from"])},
    )
    for rule in data["rules"]:
        QuotaRule.objects.get_or_create(
            policy=version,
            requirement=rule["requirement"],
            role=rule["role"],
            scope=rule["scope"],
            period=rule["period"],
            counterpart_role=rule.get("counterpart_role", ""),
            college=None,
            defaults={
                "kinds": rule["kinds"],
                "minimum": rule["minimum"],
                "flag_types": rule.get("flag_types", []),
                "title_zh": rule["title_zh"],
                "title_en": rule["title_en"],
            },
        )


def unload(apps, schema_editor):
    apps.get_model("mentoring", "PolicyVersion").objects.filter(code="校发〔2022〕50号").delete()


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0002_records_policy_flags")]

    operations = [migrations.RunPython(load, unload)]
