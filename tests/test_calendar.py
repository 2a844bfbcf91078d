"""Date arithmetic of RULEBOOK §1."""

from datetime import date

from hukou.policy.calendar import (add_months, age_on, clip, covered_days, distinct_months, full_months_between, merge,
                                   run_covering)
from hukou.policy.endorsement import endorsement_status

D = date(2019, 3, 1)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2019, 8, 31), -6) == date(2019, 2, 28)
    assert add_months(date(2020, 8, 31), -6) == date(2020, 2, 29)
    assert add_months(date(2019, 1, 31), 1) == date(2019, 2, 28)
    assert add_months(date(2019, 12, 15), 1) == date(2020, 1, 15)


def test_full_months_between():
    assert full_months_between(date(2019, 2, 28), date(2019, 8, 31)) == 6
    assert full_months_between(date(2019, 1, 31), date(2019, 2, 28)) == 1
    assert full_months_between(date(2019, 3, 1), date(2019, 8, 31)) == 5
    assert full_months_between(date(2019, 9, 1), date(2019, 8, 31)) == 0


def test_age_and_29_february():
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18
    assert age_on(date(2004, 2, 29), date(2024, 2, 29)) == 20


def test_clip_merge_and_cover():
    spans = clip([(date(2018, 1, 1), date(2018, 1, 10)), (date(2018, 1, 11), None), (date(2019, 5, 1), None)], D)
    assert spans == [(date(2018, 1, 1), date(2018, 1, 10)), (date(2018, 1, 11), D)]
    assert merge(spans) == [(date(2018, 1, 1), D)]
    assert run_covering(spans, D) == (date(2018, 1, 1), D)
    assert covered_days([(date(2018, 1, 1), date(2018, 1, 10)), (date(2018, 1, 5), date(2018, 1, 12))]) == 12
    assert merge([(date(2018, 1, 1), date(2018, 1, 10)), (date(2018, 1, 12), date(2018, 1, 20))]) == \
        [(date(2018, 1, 1), date(2018, 1, 10)), (date(2018, 1, 12), date(2018, 1, 20))]


def test_distinct_months_counts_overlaps_once_and_stops_at_d():
    assert distinct_months([((2017, 1), (2018, 6))], D) == 18
    assert distinct_months([((2017, 1), (2017, 12)), ((2017, 6), (2018, 2))], D) == 14
    assert distinct_months([((2018, 12), None)], D) == 4  # Dec, Jan, Feb, Mar (D's month counts)
    assert distinct_months([((2019, 4), None)], D) == 0


def test_endorsement_windows():
    e = endorsement_status(date(2018, 1, 10), [date(2018, 12, 20)], D)
    assert e.as_dict() == {"status": "valid", "residence_counted_from": "2018-01-10", "next_window": ["2019-12-10", "2020-01-09"]}
    e = endorsement_status(date(2018, 6, 1), [], D)
    assert e.next_window == (date(2019, 5, 1), date(2019, 5, 31))
    e = endorsement_status(date(2018, 1, 10), [], D)
    assert e.as_dict()["next_window"] == ["2019-01-10", None] and e.status == "suspended"
    # a late endorsement restarts the cycle: next window counts from the late date
    e = endorsement_status(date(2018, 1, 10), [date(2019, 2, 1)], D)
    assert e.residence_counted_from == date(2019, 2, 1) and e.next_window == (date(2020, 1, 1), date(2020, 1, 31))
