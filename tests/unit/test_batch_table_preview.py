"""What the Batch page says of a table before the run, from its one pass: its columns, how many
rows have expected answers (from the column chosen) or their own question, its first rows; and
the uploads kept through a page switch."""

from __future__ import annotations

import json

from vision.batch.items.kept_uploads import KeptUploads
from vision.batch.items.scored import ScoringChoice, scored_count
from vision.batch.items.table_scan import table_summary
from vision.batch.items.tables import first_rows, preview_rows, table_columns, table_rows
from vision.batch.items.uploads import Upload, outside_table, page_items, read_table

A = Upload(name="a.png", data=b"png-a")
B = Upload(name="b.png", data=b"png-b")
TABLE = (
    b"image,question,truth,answer\n"
    b"a.png,What is it?,a cat,cat\n"
    b"https://example.com/b.png,,a dog|a puppy,dog\n"
    b"https://example.com/c.png,Count them,,\n"
)


def test_a_tables_columns_are_its_header_or_its_objects_fields():
    assert table_columns(TABLE) == ("image", "question", "truth", "answer")
    assert table_columns(b"https://example.com/a.png\nhttps://example.com/b.png\n") == ()
    jsonl = b'{"image": "a.png", "Question": "q"}\n{"url": "u", "answers": ["x"]}\n'
    assert table_columns(jsonl) == ("image", "question", "url", "answers")


def test_the_scan_counts_expected_answers_from_the_chosen_column_and_own_questions():
    named = read_table(TABLE)
    assert named is not None
    assert (named.scan.rows, named.scan.expected, named.scan.prompted) == (3, 2, 2)
    chosen = read_table(TABLE, "truth")
    assert chosen is not None
    assert (chosen.scan.rows, chosen.scan.expected, chosen.scan.prompted) == (3, 2, 2)
    rows = {row.line: row for row in table_rows(TABLE, "truth")}
    assert (rows[2].expected, rows[3].expected, rows[4].expected) == (
        "a cat",
        "a dog|a puppy",
        None,
    )
    items = list(page_items(prompt="Describe", uploads=[A], table=chosen))
    assert [item.expected for item in items] == ["a cat", "a dog|a puppy", None]
    assert [item.prompt for item in items] == ["What is it?", "Describe", "Count them"]


def test_an_answers_column_or_a_jsonl_list_chosen_gives_every_answer_accepted():
    csv = b"image,answers\nhttps://example.com/a.png,two|2\n"
    (row,) = table_rows(csv, "answers")
    assert (row.expected, row.answers) == ("two", ("two", "2"))
    jsonl = json.dumps({"url": "https://example.com/a.png", "refs": ["two", "2"]}).encode()
    (row,) = table_rows(jsonl, "refs")
    assert (row.expected, row.answers) == ("two", ("two", "2"))


def test_the_preview_reads_only_the_first_rows():
    lines = [json.dumps({"url": f"https://example.com/{n}.png"}) for n in range(3)]
    broken = ("\n".join(lines) + "\nnot json\n").encode()
    assert [row.source for row in first_rows(broken, 2)] == [
        "https://example.com/0.png",
        "https://example.com/1.png",
    ]
    assert len(first_rows(broken, 10)) == 3  # the line the scan refuses ends them


def test_the_expected_answer_of_the_page_goes_to_the_uploads_and_urls_not_named_by_the_table():
    table = read_table(b"image,expected\na.png,a cat\n")
    assert outside_table([A, B], "https://example.com/x.png\n\n", table) == 2
    items = list(
        page_items(
            prompt="Describe", uploads=[A, B], urls="https://example.com/x.png", table=table,
            expected="a dog",
        )
    )  # fmt: skip
    assert [(item.name, item.expected) for item in items] == [
        ("a.png", "a cat"),
        ("b.png", "a dog"),
        ("https://example.com/x.png", "a dog"),
    ]


def test_uploads_are_kept_through_an_emptied_uploader_until_taken_out():
    kept = KeptUploads()
    assert kept.gather([("1", A), ("2", B)]) == [A, B]
    kept.uploader_changed(["1"])  # the person took b.png out of the uploader
    assert kept.gather([("1", A)]) == [A]
    assert kept.gather([]) == [A]  # a page switch emptied the uploader: a.png stays
    assert kept.hidden() == [A]
    assert kept.gather([("3", B)]) == [A, B]
    kept.uploader_changed(["3"])  # the new list still has b.png: a.png is not taken out
    kept.forget_hidden()
    assert kept.gather([("3", B)]) == [B]


def test_a_kept_table_is_replaced_by_the_next_one():
    kept = KeptUploads(single=True)
    assert kept.gather([("1", A)]) == [A]
    assert kept.gather([]) == [A]
    assert kept.gather([("2", B)]) == [B]


def test_the_preview_leaves_out_the_columns_no_row_fills():
    shown = preview_rows(first_rows(TABLE, 5))
    assert [list(row) for row in shown] == [["line", "image", "question", "expected"]] * 3
    assert [row["question"] for row in shown] == ["What is it?", "", "Count them"]
    assert [row["expected"] for row in shown] == ["cat", "dog", ""]


def test_the_summary_line_counts_the_rows_in_words():
    table = read_table(TABLE)
    assert table is not None
    summary = table_summary("t.csv", table.scan)
    assert summary == "t.csv: 3 rows, 2 with expected answers, 2 with a question of their own"
    one = read_table(b"https://example.com/a.png\n")
    assert one is not None
    assert table_summary("u.txt", one.scan) == "u.txt: 1 row, none with expected answers"


def test_the_images_scored_are_the_rows_with_what_the_metric_reads_and_the_others_if_expected():
    table = read_table(TABLE)
    assert table is not None
    given = scored_count(ScoringChoice(metric="contains", expected="a cat"), table.scan, 2)
    assert (given.total, given.scored, given.boxes) == (5, 4, False)
    unsaid = scored_count(ScoringChoice(metric="contains"), table.scan, 2)
    assert (unsaid.total, unsaid.scored) == (5, 2)
    boxed = scored_count(ScoringChoice(metric="iou", expected="a cat"), table.scan, 2)
    assert (boxed.total, boxed.scored, boxed.boxes) == (5, 0, True)
    assert scored_count(ScoringChoice(metric="exact", expected="x"), None, 0).total == 0
