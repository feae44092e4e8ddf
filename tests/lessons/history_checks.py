"""The per-epoch history every way of fine-tuning reports (``EpochRecord``), checked one way for all of them."""

HISTORY_KEYS = {"epoch", "loss", "accuracy", "f1", "seconds"}


def check_history(history, epochs):
    assert [record["epoch"] for record in history] == list(range(1, epochs + 1))
    for record in history:
        assert set(record) == HISTORY_KEYS
        assert isinstance(record["epoch"], int)
        assert 0.0 < record["loss"] < 5.0 and record["seconds"] > 0.0
        assert 0.0 <= record["accuracy"] <= 1.0 and 0.0 <= record["f1"] <= 1.0
