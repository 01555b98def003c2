"""The answer cache stays within its entry and byte budgets, oldest use out first."""

from __future__ import annotations

from schema.http import AnswerCache


def test_the_least_recently_used_answers_leave_first_when_the_bytes_run_out() -> None:
    cache = AnswerCache(max_entries=100, max_bytes=1600)
    for k in (b"a", b"b", b"c"):
        cache.put(k, {}, b"x" * 50)
    assert cache.get(b"a") is not None  # a is now the most recently used
    cache.put(b"d", {}, b"y" * 100)
    cache.put(b"e", {}, b"z" * 100)
    assert cache.bytes == 350 and len(cache) == 5
    for i in range(14):                  # 14 more of 100 bytes: the oldest go
        cache.put(b"f%d" % i, {}, b"w" * 100)
    assert cache.bytes <= 1600 and cache.get(b"b") is None and cache.get(b"c") is None
    assert cache.bytes == sum(len(cache.get(k)[1]) for k in list(cache._entries))  # type: ignore[index]


def test_the_entry_budget_holds_too() -> None:
    cache = AnswerCache(max_entries=3, max_bytes=10_000)
    for i in range(5):
        cache.put(b"%d" % i, {"s:m": i}, b"{}")
    assert len(cache) == 3 and cache.get(b"0") is None and cache.get(b"4") == ({"s:m": 4}, b"{}")
    assert cache.bytes == 6


def test_an_answer_over_a_sixteenth_of_the_budget_is_not_kept_and_replacing_one_counts_once() -> None:
    cache = AnswerCache(max_entries=10, max_bytes=1600)
    cache.put(b"big", {}, b"x" * 101)
    assert cache.get(b"big") is None and cache.bytes == 0
    cache.put(b"k", {}, b"x" * 60)
    cache.put(b"k", {}, b"y" * 40)
    assert cache.bytes == 40 and cache.get(b"k") == ({}, b"y" * 40)
    cache.drop(b"k")
    assert cache.bytes == 0 and len(cache) == 0
