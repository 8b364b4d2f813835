import pytest

pytestmark = pytest.mark.e2e


def test_mentor_logs_in_and_sees_their_students(desktop, log_in, world):
    log_in(desktop, world.mentor.number)
    section = desktop.locator("#my-students")
    for student in world.students[:2]:
        assert section.get_by_text(student.user.name).is_visible()
    assert section.get_by_text(world.students[3].user.name).count() == 0
