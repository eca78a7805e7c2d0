"""`supportdesk mail import`: .eml files, directories and mbox files, with a summary."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from supportdesk.channels.email.choices import InboundStatus
from supportdesk.channels.email.management.commands.mail import Progress
from supportdesk.channels.email.models import InboundEmail, Mailbox
from supportdesk.channels.email.tests import mailfactory
from supportdesk.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("mail", "import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def summary(out: str) -> dict[str, int]:
    counts = {}
    for line in out.splitlines():
        if line.startswith("  "):
            label, _, number = line.strip().rpartition(" ")
            counts[label.strip()] = int(number)
    return counts


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Nine messages in nested folders (six requests, three replies to them), plus a hidden
    file that must be left alone."""
    messages = mailfactory.generated(9, reply_every=3)
    for index, raw in enumerate(messages):
        sub = tmp_path / "mail" / f"batch{index // 4}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{index:03d}.eml").write_bytes(raw)
    (tmp_path / "mail" / ".DS_Store").write_bytes(b"\x00\x01junk")
    return tmp_path / "mail"


def test_a_directory_is_imported_recursively_with_a_summary(mailbox, folder):
    out, err = run_import(str(folder))
    counts = summary(out)
    assert counts["tickets created"] == 6 and counts["replies threaded"] == 3
    assert counts["duplicates"] == 0 and counts["quarantined"] == 0
    assert "Imported 9 messages" in out
    assert "9/9 100%" in err  # the progress bar, on stderr
    assert Ticket.objects.count() == 6 and Message.objects.count() == 9
    rows = InboundEmail.objects.all()
    assert {r.source for r in rows} == {"import"} and all(r.mailbox_id == mailbox.pk for r in rows)
    assert all(r.status == InboundStatus.PROCESSED for r in rows)
    assert rows[0].source_ref.endswith(".eml")


def test_a_large_import_asks_the_worker_to_refresh_the_planner_statistics(mailbox, folder, monkeypatch):
    from supportdesk.channels.email.management.commands import mail

    asked = []
    monkeypatch.setattr(mail, "refresh_statistics", lambda: asked.append(True))
    monkeypatch.setattr(mail, "STATISTICS_AFTER", 10)
    run_import(str(folder))  # 9 messages: below the threshold
    assert asked == []
    monkeypatch.setattr(mail, "STATISTICS_AFTER", 9)
    run_import(str(folder))  # 9 again (already imported, still counted)
    assert asked == [True]


def test_running_it_again_imports_nothing_twice(mailbox, folder):
    run_import(str(folder))
    out, _err = run_import(str(folder))
    assert summary(out)["already imported"] == 9
    assert Ticket.objects.count() == 6 and Message.objects.count() == 9


def test_an_mbox_file(mailbox, tmp_path):
    path = tmp_path / "archive.mbox"
    messages = mailfactory.generated(5, reply_every=100, seed=3)
    messages.append(mailfactory.email(body="From the beginning, a line starts with From.\nFrom here on."))
    path.write_bytes(mailfactory.mbox(messages))
    out, _err = run_import(str(path))
    assert summary(out)["tickets created"] == 6
    assert InboundEmail.objects.get(source_ref=f"{path}#6").status == InboundStatus.PROCESSED


def test_a_single_eml_file_and_a_quarantined_one(mailbox, tmp_path):
    good, bad = tmp_path / "good.eml", tmp_path / "bad.eml"
    good.write_bytes(mailfactory.email())
    bad.write_bytes(b"Subject: no sender at all\r\n\r\nhello\r\n")
    assert summary(run_import(str(good))[0])["tickets created"] == 1
    out, _err = run_import(str(bad))
    assert summary(out)["quarantined"] == 1 and "Quarantine" in out


def test_mail_to_our_own_address_and_duplicates_are_counted(mailbox, tmp_path):
    (tmp_path / "1.eml").write_bytes(mailfactory.email(message_id="<dup@x>"))
    (tmp_path / "2.eml").write_bytes(mailfactory.email(message_id="<dup@x>", headers={"X-Copy": "2"}))
    (tmp_path / "3.eml").write_bytes(mailfactory.email(sender="support@desk.test"))
    counts = summary(run_import(str(tmp_path))[0])
    assert (counts["tickets created"], counts["duplicates"], counts["discarded"]) == (1, 1, 1)


def test_queue_leaves_processing_to_the_worker(mailbox, folder, monkeypatch):
    from supportdesk.channels.email import tasks_inbound

    queued: list[int] = []
    monkeypatch.setattr(tasks_inbound, "process_inbound_email", queued.append)
    out, _err = run_import(str(folder), "--queue")
    assert summary(out)["queued for the worker"] == 9 and len(queued) == 9
    assert not Ticket.objects.exists()
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {InboundStatus.RECEIVED}


def test_the_mailbox_option(mailbox, tmp_path, support_group):
    sales = Mailbox.objects.create(name="Sales", email_address="sales@desk.test", aliases="orders@desk.test")
    (tmp_path / "1.eml").write_bytes(mailfactory.email(to="sales@desk.test"))
    run_import(str(tmp_path), "--mailbox", "orders@desk.test")
    assert InboundEmail.objects.get().mailbox == sales
    with pytest.raises(CommandError, match="No mailbox"):
        run_import(str(tmp_path), "--mailbox", "nobody@desk.test")


def test_without_a_mailbox_anywhere_mail_is_imported_unassigned(tmp_path, db):
    (tmp_path / "1.eml").write_bytes(mailfactory.email())
    run_import(str(tmp_path))
    assert InboundEmail.objects.get().mailbox is None and Ticket.objects.count() == 1


def test_an_unusable_path_fails(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run_import(str(tmp_path / "missing"))


def test_an_unreadable_file_is_reported_and_the_rest_imported(mailbox, folder, monkeypatch):
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "004.eml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    out, err = run_import(str(folder))
    assert summary(out)["unreadable files"] == 1 and "004.eml: Permission denied" in err
    assert InboundEmail.objects.count() == 8


def test_the_exit_code_of_the_real_command(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SUPPORTDESK_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    missing = subprocess.run(
        [sys.executable, "-m", "supportdesk", "mail", "import", str(tmp_path / "nothing-here")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_progress_on_a_terminal_redraws_one_line():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress(3, stream)
    for _ in range(3):
        progress.step()
    progress.finish()
    text = stream.getvalue()
    assert text.count("\n") == 1 and "\r[" in text and "3/3 100%" in text


def test_progress_in_a_log_prints_every_tenth():
    stream = io.StringIO()
    progress = Progress(100, stream)
    for _ in range(100):
        progress.step()
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11  # the first message, then each tenth
    assert "100/100 100%" in lines[-1]
