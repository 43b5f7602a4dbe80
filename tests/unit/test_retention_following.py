"""What a payment file's row changes in its retention tally, read from the bits that differ, equals the full counts
of the history after minus those before; and the quick test for a possible restart misses none."""

import random
from collections import Counter

import pytest

from campaign_app.summaries.retention import _count_change, _may_restart, history_counts, restarts

HISTORIES = [0, 1, 0b1011, 0b110000001, (1 << 63) - 1, 1 << 40, 0b1111 << 20] + [
    random.Random(seed).getrandbits(random.Random(seed).randint(1, 63)) for seed in range(40)]


def _nonzero(counts: Counter) -> dict:
    return {name: value for name, value in counts.items() if value}


@pytest.mark.parametrize("before", [None, *HISTORIES[:12]])
def test_a_history_s_change_counts_as_the_new_counts_minus_the_old(before):
    for after in HISTORIES:
        expected = history_counts(after)
        if before is not None:
            expected.subtract(history_counts(before))
        change: Counter = Counter()
        _count_change(change, before, after)
        assert _nonzero(change) == _nonzero(expected)


@pytest.mark.parametrize("lapse", [0, 1, 3, 24])
def test_a_history_said_to_show_no_restart_shows_none(lapse):
    for paid in HISTORIES:
        if not _may_restart(paid, lapse):
            assert restarts(paid, lapse) == []
