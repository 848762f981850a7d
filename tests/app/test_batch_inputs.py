"""The Batch page's inputs through AppTest against the echo: nothing is lost on a visit to
another page, the scoring is chosen before the run with a preview of the table, and earlier
batches are named by what they asked."""

from __future__ import annotations

from tests.support.batch_page import run_batch
from tests.support.images import make_image
from tests.support.models import QWEN
from tests.support.pages import shows, table_with
from vision.echo import EchoServer
from vision.history.store import HistoryStore


def _png(name: str, side: int) -> tuple[str, bytes, str]:
    return (name, make_image("PNG", (side, side)), "image/png")


TWO = [_png("one.png", 40), _png("two.png", 48)]
TABLE = (
    "image,question,expected,tag\n"
    "one.png,Read the text,echo backend,ocr\n"
    "two.png,What chart is this?,a pie chart,chart\n"
)


def _prompts(echo: EchoServer) -> list[str]:
    return [request.body["messages"][-1]["content"][0]["text"] for request in echo.chat_requests]


def test_images_urls_table_prompt_tag_and_models_stay_through_a_visit_to_history(batch_page, echo):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value([*TWO, _png("three.png", 56)]).run()
    at.file_uploader(key="batch_table").set_value(("t.csv", TABLE.encode(), "text/csv")).run()
    at.text_area(key="batch_urls").set_value("https://example.com/street.jpg").run()
    at.text_area(key="batch_prompt").set_value("Describe the picture").run()
    at.text_input(key="batch_tag").set_value("demo").run()
    at.multiselect(key="batch_models").set_value([QWEN]).run()
    assert shows(at, "4 images × 1 model = 4 requests")

    at.switch_page("ui/pages/history.py").run()
    at.switch_page("ui/pages/batch.py").run()
    assert not at.exception
    assert at.text_area(key="batch_prompt").value == "Describe the picture"
    assert at.text_area(key="batch_urls").value == "https://example.com/street.jpg"
    assert at.text_input(key="batch_tag").value == "demo"
    assert at.multiselect(key="batch_models").value == [QWEN]
    # The uploaders come back empty (a browser cannot be handed files), so the page says which
    # files it kept, and the batch still has them.
    assert shows(at, "Kept from before: one.png, two.png, three.png")
    assert shows(at, "Kept from before: t.csv")
    assert shows(at, "4 images × 1 model = 4 requests")
    run_batch(at)
    assert sorted(_prompts(echo)) == sorted(
        ["Read the text", "What chart is this?", "Describe the picture", "Describe the picture"]
    )


def test_a_file_taken_out_of_the_uploader_leaves_the_batch_and_kept_files_can_be_removed(
    batch_page,
):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value(TWO).run()
    at.file_uploader(key="batch_images").set_value(TWO[:1]).run()
    assert shows(at, "1 image × 2 models = 2 requests")
    at.switch_page("ui/pages/history.py").run()
    at.switch_page("ui/pages/batch.py").run()
    assert shows(at, "Kept from before: one.png")
    at.file_uploader(key="batch_images").set_value([_png("four.png", 60)]).run()
    assert shows(at, "2 images × 2 models = 4 requests")  # one.png is still in the batch
    at.button(key="batch_forget_images").click().run()
    assert not at.exception
    assert not shows(at, "Kept from before")
    assert shows(at, "1 image × 2 models = 2 requests")


def test_the_table_is_previewed_and_its_own_questions_are_said_beside_the_prompt(batch_page):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value([*TWO, _png("three.png", 56)]).run()
    at.file_uploader(key="batch_table").set_value(("t.csv", TABLE.encode(), "text/csv")).run()
    assert shows(at, "t.csv: 2 rows, 2 with expected answers, 2 with a question of their own")
    preview = table_with(at, "line")
    assert list(preview["image"]) == ["one.png", "two.png"]
    assert list(preview["expected"]) == ["echo backend", "a pie chart"]
    assert shows(
        at,
        "2 of the table's 2 rows ask their own question (its question or prompt column); "
        "this prompt goes to the other 1 image.",
    )
    assert shows(at, "2 of 3 images have an expected answer; the other 1 is shown, not scored.")


def test_the_metric_chosen_before_the_run_scores_the_results(batch_page):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value(TWO).run()
    at.file_uploader(key="batch_table").set_value(("t.csv", TABLE.encode(), "text/csv")).run()
    at.selectbox(key="batch_metric").set_value("exact").run()
    assert shows(at, "Each of the 2 images has an expected answer: all are scored.")
    run_batch(at)
    # The echo's answer contains "echo backend" but is not equal to it.
    assert list(table_with(at, "pass rate")["pass rate"]) == [0.0, 0.0]
    assert shows(at, "Scored with “Answer equals the expected text”")
    at.selectbox(key="batch_metric").set_value("contains").run()
    assert list(table_with(at, "pass rate")["pass rate"]) == [50.0, 50.0]


def test_an_expected_answer_for_the_uploads_scores_them_without_a_table(batch_page):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value(TWO).run()
    assert shows(at, "No image has an expected answer: the answers will be shown, not scored")
    at.text_input(key="batch_expected").set_value("echo backend").run()
    assert shows(at, "Each of the 2 images has an expected answer: all are scored.")
    run_batch(at)
    rates = table_with(at, "pass rate")
    assert list(rates["pass rate"]) == [100.0, 100.0]
    assert list(rates["checked"]) == [2, 2]


def test_the_tables_column_holding_the_expected_answers_is_chosen_before_the_run(
    batch_page, history_file
):
    at = batch_page()
    table = "image,question,truth\none.png,Read it,echo backend\ntwo.png,And this,nothing\n"
    at.file_uploader(key="batch_images").set_value(TWO).run()
    at.file_uploader(key="batch_table").set_value(("t.csv", table.encode(), "text/csv")).run()
    assert shows(at, "t.csv: 2 rows, none with expected answers")
    assert at.selectbox(key="batch_expected_column").options == [
        "by name: expected or answer", "question", "truth"
    ]  # fmt: skip
    at.selectbox(key="batch_expected_column").set_value("truth").run()
    assert shows(at, "t.csv: 2 rows, 2 with expected answers")
    run_batch(at)
    assert list(table_with(at, "pass rate")["pass rate"]) == [50.0, 50.0]
    with HistoryStore(history_file) as store:
        runs = store.batch_runs(at.session_state["batch"].batch_id, images=False)
    assert {run.item_name: run.expected for run in runs} == {
        "one.png": "echo backend", "two.png": "nothing"
    }  # fmt: skip


def test_an_empty_prompt_asks_the_images_the_default_question_and_says_so(batch_page, echo):
    at = batch_page()
    at.text_area(key="batch_prompt").set_value("").run()
    at.file_uploader(key="batch_images").set_value(TWO).run()
    assert shows(at, "No prompt: the models are asked “What is in this image?”.")
    run_batch(at)
    assert set(_prompts(echo)) == {"What is in this image?"}
    assert len(_prompts(echo)) == 2 * len(at.session_state["batch"].view().models)
