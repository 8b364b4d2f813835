"""Every string the Python code marks for translation is in the Chinese catalogue.

`makemessages` (xgettext) does not look inside f-strings, so a `_("…")` written in one is left out of
`locale/zh_Hans/LC_MESSAGES/django.po` unless the same string is marked somewhere else, and the page then shows it in
English. This reads the code's own calls instead, with the parser, wherever they are.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext"}
APPS = ("accounts", "mentoring", "evaluation", "awards", "config")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def catalogue_ids(path: Path) -> set[str]:
    """The msgids and plural msgids of a .po file (obsolete `#~` entries left out)."""
    ids: set[str] = set()
    key, text = None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith('"') and text is not None:
            text += _unquote(line[1:-1])
            continue
        if key in ("msgid", "msgid_plural") and text:
            ids.add(text)
        key, text = None, None
        found = re.match(r'^(msgid|msgid_plural|msgctxt|msgstr(?:\[\d+\])?) "(.*)"$', line)
        if found:
            key, text = found.group(1), _unquote(found.group(2))
    return ids


def marked_strings(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, string) of every literal passed to a gettext function in the apps' code, f-strings included."""
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT):
                    continue
                args = node.args[1:] if node.func.id.startswith(("pgettext", "npgettext")) else node.args
                for arg in args[:2]:  # the message, and the plural of an ngettext
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append((str(path.relative_to(root)), node.lineno, arg.value))
    return found


def test_every_string_marked_in_the_code_is_in_the_chinese_catalogue():
    root = Path(settings.BASE_DIR)
    ids = catalogue_ids(root / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    marked = marked_strings(root)
    assert len(marked) > 300  # the reader finds the code's calls (f-strings included)
    assert [entry for entry in marked if entry[2] not in ids] == []


def test_the_check_finds_a_string_marked_only_inside_an_f_string(tmp_path):
    app = tmp_path / "mentoring"
    app.mkdir()
    (app / "tags.py").write_text("from django.utils.translation import gettext as _\nx = f\"<th>{_('Unit')}</th>\"\n")
    assert marked_strings(tmp_path) == [("mentoring/tags.py", 2, "Unit")]
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Unit"\nmsgstr "对象"\n\nmsgid ""\n"two "\n"lines"\nmsgstr "两行"\n')
    assert catalogue_ids(po) == {"Unit", "two lines"}
