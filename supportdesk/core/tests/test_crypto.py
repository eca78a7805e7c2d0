import pytest

from supportdesk.core.crypto import decrypt, encrypt


def test_round_trip_and_ciphertext_hides_the_secret():
    stored = encrypt("hunter2-imap")
    assert stored.startswith("enc1:") and "hunter2" not in stored
    assert decrypt(stored) == "hunter2-imap"
    assert encrypt("") == "" and decrypt("") == ""


def test_another_key_or_damage_reads_as_empty(settings):
    stored = encrypt("secret")
    settings.SECRET_KEY = "another-key-entirely-" * 3
    from supportdesk.core.crypto import _fernet

    _fernet.cache_clear()
    assert decrypt(stored) == ""
    assert decrypt("enc1:garbage") == "" and decrypt("plain") == ""


@pytest.mark.parametrize("text", ["ąęłóżź 密码 mật khẩu", "x" * 5000])
def test_any_text(text):
    assert decrypt(encrypt(text)) == text
