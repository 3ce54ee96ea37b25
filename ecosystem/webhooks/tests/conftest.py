import pytest

from ecosystem import outbound

from .support import Receiver


@pytest.fixture
def receiver(monkeypatch) -> Receiver:
    """A fake receiver in place of the network (``outbound.request``)."""
    fake = Receiver()
    monkeypatch.setattr(outbound, "request", fake)
    return fake
