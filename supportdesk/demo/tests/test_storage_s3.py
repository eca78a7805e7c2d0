"""Attachments and raw mail on S3-compatible storage (S3_BUCKET), for installations whose
machines share no file system: against a real S3 API (moto's server on 127.0.0.1), files go to
the bucket, come back through the application (never as bucket URLs), and raw mail stored there
is processed like mail on disk."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from config.settings import s3_storage
from supportdesk.channels.email.models import Mailbox
from supportdesk.channels.email.services.intake import process_inbound, store_inbound
from supportdesk.channels.email.tests import mailfactory
from supportdesk.tickets.models import Attachment, Ticket
from supportdesk.tickets.services import Actor, FileData, ticket_create

pytestmark = pytest.mark.django_db
BUCKET = "supportdesk-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    import boto3

    for name, value in {
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY": "test-secret",
        "S3_PREFIX": "desk",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(BUCKET)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_attachments_go_to_the_bucket_and_come_back_only_through_the_desk(
    bucket, agent, customer, client_for
):
    assert type(storages["default"]).__name__ == "S3Storage"
    data = "Hóa đơn 发票\n".encode() * 100
    ticket = ticket_create(
        actor=Actor.of_customer(customer),
        requester=customer,
        subject="Invoice",
        body="See the file.",
        attachments=[FileData(name="hóa đơn.txt", content_type="text/plain", data=data)],
    )
    stored = Attachment.objects.get(ticket=ticket)
    assert _keys(bucket) == [f"desk/{stored.file.name}"]
    url = reverse("files:attachment", args=[stored.token])
    answer = client_for(agent).get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == data
    assert "amazonaws" not in answer.get("Location", "") and answer.get("Location") is None
    # Someone who may not see the ticket gets nothing, bucket or not.
    assert client_for(None).get(url).status_code == 302  # to the sign-in page


def test_a_file_missing_from_the_bucket_is_a_404_not_a_crash(bucket, agent, customer, client_for):
    ticket = ticket_create(
        actor=Actor.of_customer(customer),
        requester=customer,
        subject="Invoice",
        body="See the file.",
        attachments=[FileData(name="a.txt", content_type="text/plain", data=b"abc")],
    )
    stored = Attachment.objects.get(ticket=ticket)
    bucket.delete_object(Bucket=BUCKET, Key=f"desk/{stored.file.name}")
    answer = client_for(agent).get(reverse("files:attachment", args=[stored.token]))
    assert answer.status_code == 404


def test_raw_mail_is_kept_in_the_bucket_and_processed_from_there(bucket, support_group):
    mailbox = Mailbox.objects.create(
        name="Support", email_address="support@desk.test", group=support_group, is_default=True
    )
    raw = mailfactory.email(
        sender="Ann <ann@mail.example>",
        attachments=[("log.txt", "text/plain", b"error 42")],
    )
    row, created = store_inbound(raw=raw, source="smtp", mailbox=mailbox)
    again, created_again = store_inbound(raw=raw, source="smtp", mailbox=mailbox)
    assert created and not created_again and again.pk == row.pk
    assert f"desk/{row.raw.name}" in _keys(bucket)
    processed = process_inbound(row.pk)  # reads the raw bytes back from the bucket
    ticket = Ticket.objects.get(pk=processed.ticket_id)
    assert ticket.requester.primary_email == "ann@mail.example"
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.file.read() == b"error 42"
