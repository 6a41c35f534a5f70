"""The soak's verdict is itself a check: growth past 10 % or a host that captured nothing fails it."""

from bench.soak import Sample, Soak, report


def _soak(*points: tuple[float, float, int]) -> Soak:
    result = Soak(rate=1, minutes=60, warmup=10)
    result.samples = [Sample(m, rss, 50.0, n) for m, rss, n in points]
    return result


def test_memory_within_ten_percent_of_the_ten_minute_sample_with_contacts_captured_is_flat():
    result = _soak((0, 100, 0), (10, 180, 600), (60, 195, 3600))
    assert result.flat
    assert "**met**" in report(result)


def test_memory_growing_more_than_ten_percent_after_warm_up_is_not_flat():
    result = _soak((0, 100, 0), (10, 180, 600), (60, 200, 3600))
    assert not result.flat
    assert "NOT met" in report(result)


def test_a_host_that_captured_nothing_after_warm_up_is_not_flat_however_flat_its_memory():
    assert not _soak((0, 100, 0), (10, 180, 600), (60, 180, 600)).flat


def test_the_reference_sample_is_the_first_at_or_after_the_warm_up():
    result = _soak((0, 100, 0), (9.5, 150, 500), (10.5, 170, 650), (60, 180, 3600))
    assert result.at(10).host_mib == 170
