"""The sender's fixtures (the HTTP Bot API double, a bot on it, a fake clock), for every test here."""

from tests.delivery.test_sender import bot, clock, double, sender  # noqa: F401
