"""A large table on the Batch page: checked in one pass that holds none of its rows, read once
per content however often the page runs, refused past 100,000 rows with what to do instead;
the number of items it gives is known without reading it again."""

from __future__ import annotations

import tracemalloc

import pytest

from vision.batch.items.table_scan import SCANS_KEPT, scan_table
from vision.batch.items.uploads import Upload, page_items, read_table
from vision.errors import RequestError
from vision.limits import MAX_TABLE_ROWS

HEADER = "id,image,question,hint,A,B,C,D,answer,category\n"


def mmbench_rows(count: int, *, start: int = 0) -> str:
    """Multiple-choice rows as benchmarks write them: about 250 bytes each."""
    return "".join(
        f"q{n},https://example.com/images/{n:07d}.png,Which colour is the tallest bar of "
        f"chart {n}?,Read the legend on the left before the axis,red and blue,green,"
        f"forty-two,none of these,{'ABCD'[n % 4]},chart\n"
        for n in range(start, start + count)
    )


def test_a_table_past_the_row_cap_is_refused_with_what_to_do_instead():
    at_cap = ("https://example.com/a.png\n" * MAX_TABLE_ROWS).encode()
    assert page_items(prompt="p", table=read_table(at_cap)).count() == MAX_TABLE_ROWS
    over = at_cap + b"https://example.com/b.png\n"
    with pytest.raises(RequestError) as refused:
        page_items(prompt="p", table=read_table(over))
    sentence = str(refused.value)
    assert "more than 100,000 image rows" in sentence
    assert "split it into files of at most 100,000 rows" in sentence
    assert "`vision eval --images TABLE`" in sentence


def test_checking_a_table_holds_none_of_its_rows_and_a_second_look_reads_nothing():
    table = (HEADER + mmbench_rows(20_000)).encode()  # 5 MB
    tracemalloc.start()
    try:
        items = page_items(prompt="p", table=read_table(table), circular=True)
        _, first_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        kept, _ = tracemalloc.get_traced_memory()  # the scan, kept for the next look
        again = page_items(prompt="p", table=read_table(table), circular=True)
        _, second_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The text of every row, decoded and split, would be several times the table's bytes.
    assert first_peak < len(table) / 2
    assert second_peak - kept < 10_000  # the same content again: its scan, by hash
    assert items.count() == again.count() == 4 * 20_000  # a rotation per option


def test_the_count_is_the_items_the_inputs_give():
    table = (
        b"image,question,options,answer\n"
        b"a.png,Which?,x|y|z,y\n"
        b"https://example.com/c.png,Plain?,,\n"
        b'"https://example.com/d.png","A question\non two lines?",,\n'
    )
    uploads = [Upload(name="a.png", data=b"a"), Upload(name="b.png", data=b"b")]
    for circular in (False, True):
        items = page_items(
            prompt="p", uploads=uploads, urls="https://example.com/e.png", table=read_table(table),
            circular=circular,
        )  # fmt: skip
        listed = list(items)
        assert items.count() == len(listed) == (7 if circular else 5)
    assert listed[-3].prompt == "A question\non two lines?"  # a quoted cell keeps its newline
    assert [item.name for item in listed[-2:]] == ["b.png", "https://example.com/e.png"]


def test_tables_seen_recently_are_remembered_and_older_ones_read_again():
    first = (HEADER + mmbench_rows(10)).encode()
    scanned = scan_table(first)
    assert scan_table(first) is scanned  # read once per content
    for other in range(SCANS_KEPT):
        scan_table((HEADER + mmbench_rows(1, start=1000 + other)).encode())
    rescanned = scan_table(first)
    assert rescanned is not scanned  # the memory of scans is bounded: this one was let go
    assert rescanned == scanned
