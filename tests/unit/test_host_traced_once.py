"""A message that keeps failing logs its traceback once, then one line per further attempt."""

from devhost.servicebus_runner import TracedOnce


def test_each_key_is_traced_once_and_the_memory_of_keys_is_bounded():
    traced = TracedOnce(size=2)
    assert [traced.first("f", "a"), traced.first("f", "a"), traced.first("f", "b")] == [True, False, True]
    traced.first("f", "c")  # pushes "a" out: a bounded memory, not a growing set
    assert traced.first("f", "a") is True and len(traced._seen) == 2
