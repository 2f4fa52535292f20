"""The event a new chat message is announced as, and who counts as connected with realtime off."""

from __future__ import annotations

from eckospace.chat.inbox import message_created
from eckospace.realtime.online import connected


def member(user: str, read: int = 0, **fields: object) -> dict:
    return {"conversation_id": "c1", "user": user, "last_read_seq": read, "last_seq": 0, **fields}


def message(**fields: object) -> dict:
    return {
        "conversation_id": "c1",
        "seq": 3,
        "author": "a",
        "text": "hi " * 100,
        "created_ms": 1_700_000_000_123,
        **fields,
    }


def test_a_new_message_names_every_member_but_its_sender_and_who_muted_it():
    found = [member("a", 3), member("b", 1), member("c", 0, muted=True), member("d", 2, muted=False)]
    event = message_created(message(), found)
    assert event is not None and event.type == "chat.message_created" and event.subject == "c1"
    assert event.created == 1_700_000_000
    assert event.data["recipients"] == [{"user_id": "b", "last_read_seq": 1}, {"user_id": "d", "last_read_seq": 2}]
    assert event.data["message_id"] == "msg_3" and event.data["seq"] == 3 and event.data["sender"] == "a"
    assert event.data["preview"] == ("hi " * 100)[:140]
    again = message_created(message(), found)
    assert again is not None and again.id == event.id  # a record delivered again: the same event
    later = message_created(message(seq=4), found)
    assert later is not None and later.id != event.id


def test_deleted_messages_and_messages_nobody_is_told_of_are_not_announced():
    found = [member("a"), member("b")]
    assert message_created(message(deleted_ms=1, text=None), found) is None
    assert message_created(message(), [member("a"), member("b", muted=True)]) is None


def test_nobody_is_connected_with_realtime_off(monkeypatch):
    monkeypatch.setenv("ECKO_REALTIME_TABLE", "")
    assert connected("anyone") is False
