"""Single components drawn alone with AppTest.from_function: image cards, blind votes, leaderboard.

Each script function is copied into a script of its own, so it imports what it uses and its
arguments come in through args= (the objects themselves: AppTest runs in this process).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.entries import entry, pngs
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from tests.support.pages import texts
from vision.api.catalog import compact_name, short_name
from vision.chat.preparation import ImageStatus, PreparationCache, prepare_all
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.images.thumbnail import image_from_prepared
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.sizes import human_size
from vision.values.run import Run

TIMEOUT_S = 30
KEY = "votes"


def cards_script(statuses):
    from ui.playground.cards import draw_cards

    draw_cards(statuses)


def votes_script(store, runs):
    from ui.batch.votes import vote_panel

    vote_panel(store, runs, key="votes")


def leaderboard_script(store, runs):
    from ui.batch.votes import leaderboard_panel

    leaderboard_panel(store.votes(), runs, key="board")


def draw(script, *args) -> AppTest:
    at = AppTest.from_function(script, args=args, default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    return at


def statuses_of(*files: tuple[bytes, str]) -> list[ImageStatus]:
    entries = [entry(data, name) for data, name in files]
    return prepare_all(PreparationCache(), entries, [LLAMA, QWEN], allow_loopback=False)


# Image cards


def test_a_card_shows_the_original_and_what_each_model_receives():
    photo = make_photo((2000, 1500))
    (status,) = statuses_of((photo, "holiday.jpg"))
    at = draw(cards_script, [status])
    shown = texts(at)
    assert "**1.** holiday.jpg" in shown
    assert f"JPEG · 2000×1500 · {human_size(len(photo))}" in shown
    for model in (LLAMA, QWEN):
        sent = status.prepared[model]
        assert sent.width < 2000  # both models get a smaller copy
        assert (
            f"**{compact_name(model)}**: {sent.width}×{sent.height} JPEG · "
            f"{human_size(sent.size_bytes)} · ≈{sent.estimated_tokens:,} tokens"
        ) in shown
    assert not at.error
    assert at.button(key=f"preview:{status.entry.id}").label == "What the model sees"


def test_a_small_image_goes_unchanged_with_a_warning_on_its_card():
    chart = make_image("PNG", (640, 480))
    (status,) = statuses_of((chart, "chart.png"))
    shown = texts(draw(cards_script, [status]))
    assert f"PNG · 640×480 · {human_size(len(chart))}" in shown
    assert any(text.startswith(f"**{compact_name(QWEN)}**: 640×480 unchanged") for text in shown)
    assert any("below the recommended 512×512" in text for text in shown)


def test_an_unreadable_file_shows_why_it_cannot_be_sent():
    statuses = statuses_of((make_image("PNG", (64, 64)), "fine.png"), (b"hello", "notes.png"))
    at = draw(cards_script, statuses)
    assert [error.value for error in at.error] == [statuses[1].error]
    assert "not an image" in at.error[0].value
    shown = texts(at)
    assert "**2.** notes.png" in shown
    # The unreadable card has a broken picture, no facts and nothing to preview.
    assert shown.count(":material/broken_image:") == 1
    assert len([text for text in shown if text.startswith(f"**{compact_name(LLAMA)}**:")]) == 1
    previews = [button.key for button in at.button if str(button.key).startswith("preview:")]
    assert previews == [f"preview:{statuses[0].entry.id}"]


def test_more_images_than_a_request_takes_are_marked_on_the_page():
    entries = pngs(MAX_IMAGES_PER_REQUEST + 1, size=(32, 32))
    statuses = prepare_all(PreparationCache(), entries, [QWEN], allow_loopback=False)
    at = draw(cards_script, statuses)
    errors = [error.value for error in at.error]
    assert errors[0] == (
        "11 images added, but a request takes at most 10: remove 1 to send "
        "(the extra ones are marked below)."
    )
    assert errors[1].startswith("Over the limit: a request takes at most 10 images")
    assert len(errors) == 2


# Blind votes and the leaderboard, on a real history file


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "votes.sqlite3") as opened:
        yield opened


ANSWERS = {
    (0, LLAMA): "A tabby cat asleep on a red sofa",
    (0, QWEN): "One cat lying on a couch",
    (1, LLAMA): "A bar chart of sales by month",
    (1, QWEN): "Twelve blue bars rising to the right",
}


def saved_batch(store: HistoryStore) -> list[Run]:
    """Two images of one batch, each answered by Llama and Qwen, saved to the history."""
    runs = []
    for index in (0, 1):
        data = make_image("PNG", (200, 150), color=(40 + 100 * index, 90, 160))
        for model in (LLAMA, QWEN):
            prepared = prepare_image(data, filename=f"img-{index}.png", model=model)
            run = Run(
                kind="batch_item",
                batch_id="b1",
                item_index=index,
                item_name=f"img-{index}.png",
                prompt="What is in this image?",
                model=model,
                answer=ANSWERS[index, model],
                latency_s=1.0 + index,
                images=(image_from_prepared(prepared),),
            )
            runs.append(store.save_run(run))
    return runs


def answer_under(at: AppTest, label: str) -> str:
    """The answer text drawn under the "Answer A" or "Answer B" heading."""
    values = [str(markdown.value) for markdown in at.markdown]
    return values[values.index(f"##### Answer {label}") + 1]


def successes(at: AppTest) -> list[str]:
    """The success messages on the page, markdown escapes removed."""
    return [str(success.value).replace("\\", "") for success in at.success]


def model_of(answer: str) -> str:
    return next(model for (_, model), text in ANSWERS.items() if text == answer)


def test_the_models_stay_hidden_until_the_vote_then_are_revealed(store):
    runs = saved_batch(store)
    at = draw(votes_script, store, runs)
    shown = texts(at)
    assert "2 images left to judge · the models stay hidden until you vote." in shown
    assert "Image: img-0.png" in shown
    assert not any(short_name(model) in text for text in shown for model in (LLAMA, QWEN))
    a, b = answer_under(at, "A"), answer_under(at, "B")
    assert {a, b} == {ANSWERS[0, LLAMA], ANSWERS[0, QWEN]}

    at.button(key=f"{KEY}_a").click().run()
    assert not at.exception
    assert successes(at) == [
        f"You judged A was better. A was **{short_name(model_of(a))}**, "
        f"B was **{short_name(model_of(b))}**."
    ]
    (vote,) = store.votes(batch_id="b1")
    assert (vote.pair_id, vote.choice) == ("b1:0", "a")
    assert (vote.model_a, vote.model_b) == (model_of(a), model_of(b))
    by_model = {run.model: run.id for run in runs if run.item_index == 0}
    assert (vote.run_a_id, vote.run_b_id) == (by_model[vote.model_a], by_model[vote.model_b])


def test_one_click_per_pair_reveals_it_and_brings_the_next(store):
    runs = saved_batch(store)
    at = draw(votes_script, store, runs)
    at.button(key=f"{KEY}_b").click().run()
    shown = texts(at)
    assert any(text.startswith("You judged B was better. A was **") for text in shown)
    assert "Image: img-1.png" in shown  # the next pair, with no Next button to press
    assert not [button for button in at.button if button.key == f"{KEY}_next"]
    shortcuts = {button.key: button.proto.shortcut for button in at.button}
    assert shortcuts[f"{KEY}_a"] == "left"
    assert shortcuts[f"{KEY}_b"] == "right"


def test_after_each_vote_the_next_image_comes_until_all_are_judged(store):
    runs = saved_batch(store)
    at = draw(votes_script, store, runs)
    at.button(key=f"{KEY}_tie").click().run()
    shown = texts(at)
    assert "1 image left to judge · the models stay hidden until you vote." in shown
    assert "Image: img-1.png" in shown
    at.button(key=f"{KEY}_both_bad").click().run()
    assert not at.exception
    # The last vote is revealed too, above the end of the queue.
    (revealed, done) = successes(at)
    assert revealed.startswith("You judged both bad. A was **")
    assert done == "You voted on all 2 images of this batch."
    assert sorted((vote.pair_id, vote.choice) for vote in store.votes(batch_id="b1")) == [
        ("b1:0", "tie"),
        ("b1:1", "both_bad"),
    ]


def test_a_batch_one_model_answered_alone_cannot_be_voted_on(store):
    runs = [run for run in saved_batch(store) if run.model == LLAMA]
    at = draw(votes_script, store, runs)
    assert [caption.value for caption in at.caption] == [
        "Blind voting needs images that two or more models answered."
    ]
    assert len(at.button) == 0


def test_the_leaderboard_counts_the_saved_votes(store):
    runs = saved_batch(store)
    at = draw(votes_script, store, runs)
    a = model_of(answer_under(at, "A"))
    at.button(key=f"{KEY}_a").click().run()
    b = model_of(answer_under(at, "B"))
    at.button(key=f"{KEY}_b").click().run()

    board = draw(leaderboard_script, store, runs)
    assert "**Win rate per model** · 2 vote(s); a tie counts half a win" in texts(board)
    table = board.dataframe[0].value
    rows = {row["model"]: row for row in table.to_dict("records")}
    assert set(rows) == {short_name(LLAMA), short_name(QWEN)}
    wins = {short_name(model): 0 for model in (LLAMA, QWEN)}
    wins[short_name(a)] += 1
    wins[short_name(b)] += 1
    for name, row in rows.items():
        assert (row["wins"], row["votes"]) == (wins[name], 2)
        assert row["win rate"] == pytest.approx(wins[name] / 2 * 100)


def test_an_empty_leaderboard_says_how_to_fill_it(store):
    at = draw(leaderboard_script, store, [])
    assert [caption.value for caption in at.caption] == [
        "No votes yet: judge a few pairs to fill the leaderboard."
    ]
