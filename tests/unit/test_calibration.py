"""Measurements, their stores, the fits, and what the profiles and the preflight make of them."""

from __future__ import annotations

import json
import math
import random

import pytest

from tests.support.models import LLAMA, LLAMA4, MYSTERY, QWEN
from vision.calibration.calibrator import Calibrator, calibrating, calibrator_at, learn
from vision.calibration.fitting import MIN_ANSWERS, fit_cost
from vision.calibration.measurements import (
    MAX_MEASUREMENTS_PER_MODEL,
    Measurement,
    MemoryMeasurements,
    measure_answer,
)
from vision.calibration.storage import JsonMeasurements, default_calibration_path
from vision.chat.preflight import usage_warning
from vision.errors import CalibrationError
from vision.images.geometry import smart_resize
from vision.images.profiles import estimate_image_tokens, estimate_text_tokens, profile_for

UNKNOWN = "acme/vision-9000"
SIZES = [(640, 480), (1024, 768), (800, 800), (1280, 720), (300, 200), (1600, 1200),
         (512, 512), (2048, 1536), (400, 1000), (1000, 400), (720, 1280), (256, 256)]  # fmt: skip


def answers(cost, sizes=SIZES, noise=0.0, seed=0):
    """Measurements of single-image answers costing cost(w, h) tokens, give or take noise."""
    rng = random.Random(seed)  # noqa: S311 - reproducible noise, not secrets
    return [
        Measurement(
            sizes=(size,),
            image_tokens=max(1, round(cost(*size) * (1 + rng.uniform(-noise, noise)))),
        )
        for size in sizes
    ]


def store_with(model, measurements):
    store = MemoryMeasurements()
    for measurement in measurements:
        store.record(model, measurement)
    return store


# measurements and stores


def test_an_answer_measures_its_images_with_the_texts_share_estimated():
    measured = measure_answer([(640, 480)], ["x" * 400, "system"], 1_000)
    assert measured is not None
    assert measured.image_tokens == 1_000 - 100 - estimate_text_tokens("system")
    assert measured.sizes == ((640, 480),)
    assert not measured.exact


@pytest.mark.parametrize(
    ("sizes", "prompt_tokens"), [([(640, 480)], None), ([], 500), ([(640, 480)], 3)]
)
def test_an_answer_without_usage_images_or_cost_measures_nothing(sizes, prompt_tokens):
    assert measure_answer(sizes, ["a prompt of some length"], prompt_tokens) is None


def test_a_store_keeps_per_model_and_drops_the_oldest_answers_first():
    store = MemoryMeasurements()
    probe = Measurement(sizes=((10, 10),), image_tokens=5, exact=True, probe="p")
    store.record(UNKNOWN, probe)
    for index in range(MAX_MEASUREMENTS_PER_MODEL + 5):
        store.record(UNKNOWN, Measurement(sizes=((10, 10),), image_tokens=index + 1))
    kept = store.measurements(UNKNOWN)
    assert len(kept) == MAX_MEASUREMENTS_PER_MODEL
    assert kept[0] == probe
    assert kept[-1].image_tokens == MAX_MEASUREMENTS_PER_MODEL + 5
    assert store.measurements("another/model") == ()


def test_the_json_store_round_trips_and_sees_what_another_process_wrote(tmp_path):
    path = tmp_path / "deep" / "calibration.json"
    first, second = JsonMeasurements(path), JsonMeasurements(path)
    assert first.measurements(UNKNOWN) == ()
    measurement = Measurement(sizes=((640, 480), (10, 20)), image_tokens=412, exact=True, probe="p")
    first.record(UNKNOWN, measurement)
    assert second.measurements(UNKNOWN) == (measurement,)
    second.record(UNKNOWN, Measurement(sizes=((5, 5),), image_tokens=9))
    assert len(first.measurements(UNKNOWN)) == 2
    body = json.loads(path.read_text())
    assert body["version"] == 1
    assert body["models"][UNKNOWN][0]["sizes"] == [[640, 480], [10, 20]]
    assert [p.name for p in path.parent.iterdir()] == ["calibration.json"]  # no temporary left


def test_answers_arriving_together_are_written_together_and_none_is_lost(tmp_path):
    # Twenty people's answers a second must not rewrite the whole file twenty times: the first
    # is written at once, the rest wait for the next write, and the process sees them all.
    path = tmp_path / "calibration.json"
    store, elsewhere = JsonMeasurements(path), JsonMeasurements(path)
    answers = [Measurement(sizes=((28 * n, 28),), image_tokens=n) for n in range(1, 6)]
    for answer in answers:
        store.record(UNKNOWN, answer)
    assert store.measurements(UNKNOWN) == tuple(answers)
    assert elsewhere.measurements(UNKNOWN) == (answers[0],)
    store.flush()
    assert elsewhere.measurements(UNKNOWN) == tuple(answers)
    assert len(json.loads(path.read_text())["models"][UNKNOWN]) == len(answers)


def test_a_damaged_record_costs_one_measurement_and_a_damaged_file_a_sentence(tmp_path):
    path = tmp_path / "calibration.json"
    good = Measurement(sizes=((8, 8),), image_tokens=3).as_json()
    path.write_text(json.dumps({"models": {UNKNOWN: [good, {"sizes": "nope"}, {"x": 1}]}}))
    assert len(JsonMeasurements(path).measurements(UNKNOWN)) == 1
    path.write_text("{not json")
    with pytest.raises(CalibrationError, match="delete it"):
        JsonMeasurements(path).measurements(UNKNOWN)
    calibrator = calibrator_at(path)
    assert calibrator.learned(UNKNOWN) is None
    assert calibrator.problem is not None
    assert "cannot be read" in calibrator.problem


def test_an_unwritable_store_says_what_to_do(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    store = JsonMeasurements(blocker / "calibration.json")
    with pytest.raises(CalibrationError, match="VISION_CALIBRATION_PATH"):
        store.record(UNKNOWN, Measurement(sizes=((8, 8),), image_tokens=3))


def test_the_default_file_sits_beside_the_history(tmp_path):
    history = tmp_path / "h" / "history.sqlite3"
    assert default_calibration_path({"VISION_HISTORY_PATH": str(history)}) == (
        tmp_path / "h" / "calibration.json"
    )
    chosen = tmp_path / "mine.json"
    assert default_calibration_path({"VISION_CALIBRATION_PATH": str(chosen)}) == chosen
    assert default_calibration_path({"XDG_DATA_HOME": str(tmp_path)}) == (
        tmp_path / "vision-playground" / "calibration.json"
    )


# fitting


def test_a_per_pixel_cost_is_found_with_its_error():
    fit = fit_cost(answers(lambda w, h: 20 + w * h / 750, noise=0.02))
    assert fit is not None
    assert fit.cost.method == "per pixel"
    assert fit.cost.per_pixel == pytest.approx(1 / 750, rel=0.05)
    assert 0 < fit.error < 0.03
    assert fit.points == len(SIZES)


def test_a_per_tile_cost_is_found():
    # OpenAI's published rule for its own models: 85 + 170 per 512-px tile.
    fit = fit_cost(answers(lambda w, h: 85 + 170 * math.ceil(w / 512) * math.ceil(h / 512)))
    assert fit is not None
    assert (fit.cost.method, fit.cost.tile) == ("per tile", 512)
    assert fit.cost.per_tile == pytest.approx(170)
    assert fit.error < 1e-9


def test_a_constant_cost_is_preferred_to_an_equally_good_rate():
    fit = fit_cost(answers(lambda w, h: 765, noise=0.005))
    assert fit is not None
    assert fit.cost.method == "constant"
    assert fit.cost.tokens(4000, 3000) == pytest.approx(765, abs=5)


def test_too_few_answers_give_no_fit():
    assert fit_cost(answers(lambda w, h: 765)[: MIN_ANSWERS - 1]) is None


# what the profiles and the preflight do with them


def test_answers_calibrate_an_unknown_model_and_say_so():
    store = store_with(UNKNOWN, answers(lambda w, h: 20 + w * h / 750, noise=0.03))
    assert profile_for(UNKNOWN).basis.label == "a guess"
    with calibrating(Calibrator(store)):
        profile = profile_for(UNKNOWN)
        assert profile.basis.kind == "calibrated"
        assert profile.basis.label.startswith("calibrated from 12 answers (±")
        assert profile.basis.label.endswith("%)")
        assert estimate_image_tokens(UNKNOWN, 1500, 1000) == pytest.approx(2020, rel=0.05)
    assert profile_for(UNKNOWN).basis.label == "a guess"  # the calibrator is gone again


def test_answers_that_agree_with_a_published_geometry_change_nothing():
    store = store_with(QWEN, answers(lambda w, h: estimate_image_tokens(QWEN, w, h), noise=0.02))
    with calibrating(Calibrator(store)):
        basis = profile_for(QWEN).basis
    assert basis.label == "published geometry"
    assert basis.contradiction is None


def test_answers_that_contradict_a_published_geometry_are_flagged():
    # A server capped at 1280 tokens an image (vLLM --mm-processor-kwargs), unlike the hub config.
    def capped(width, height):
        grid_w, grid_h = smart_resize(width, height, 3136, 1280 * 28 * 28)
        return grid_w * grid_h // 784 + 2

    store = store_with(QWEN, answers(capped, sizes=[*SIZES, (4032, 3024), (3000, 3000)]))
    with calibrating(Calibrator(store)):
        basis = profile_for(QWEN).basis
        assert estimate_image_tokens(QWEN, 4032, 3024) == 15_554  # still the published estimate
    assert basis.label == "published geometry"
    assert basis.contradiction is not None
    assert "disagree with Qwen2-VL's published geometry" in basis.contradiction
    assert "vision probe -m Qwen/Qwen2-VL-7B-Instruct" in basis.contradiction


def test_a_store_too_small_to_fit_teaches_nothing():
    assert learn(UNKNOWN, answers(lambda w, h: 765)[:2]) is None
    assert learn(UNKNOWN, []) is None


def test_the_missing_images_warning_covers_published_and_calibrated_models():
    # Published: Llama 4 counts its image tokens in the prompt, so a low count means something.
    assert usage_warning(1_887, 40, model=LLAMA4) is not None
    assert usage_warning(1_887, 1_900, model=LLAMA4) is None
    # Llama 3.2's cross-attention count proves nothing either way.
    assert usage_warning(6_405, 40, model=LLAMA) is None
    # A guess errs high on purpose: only a count far below it warns.
    assert usage_warning(2_000, 500, model=MYSTERY) is None
    assert usage_warning(2_000, 100, model=MYSTERY) is not None
    store = store_with(MYSTERY, answers(lambda w, h: 20 + w * h / 750, noise=0.01))
    with calibrating(Calibrator(store)):
        assert usage_warning(2_000, 500, model=MYSTERY) is not None
