"""`yanzhi progress assess`: the command agrees with core.assess and with a hand computation."""

import json
import math

import pytest
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.core.forecast import forecast
from yanzhi.core.progress import assess

runner = CliRunner()
SERIES = "2022=2.9,2023=3.05,2024=3.2"
EXAMPLE = ["--series", SERIES, "--target", "3.75", "--target-year", "2027", "--base-year", "2022"]


def run(*args: str, code: int = 0):
    result = runner.invoke(app, ["progress", "assess", *args])
    assert result.exit_code == code, result.output
    return result


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json").stdout)


def test_example_matches_core_and_hand_computation():
    data = run_json(*EXAMPLE, "--direction", "up")
    core = assess({2022: 2.9, 2023: 3.05, 2024: 3.2}, base_year=2022, target_year=2027, target=3.75)
    assert data["status"] == core.status.value == "substantial_progress"
    assert data["progress_value"] == pytest.approx(core.progress_value)
    assert data["score"] == pytest.approx(core.score)
    # by hand: R = CAGR(3.2, 2.9, 2 years) / CAGR(3.75, 2.9, 5 years)
    observed = (3.2 / 2.9) ** (1 / 2) - 1
    required = (3.75 / 2.9) ** (1 / 5) - 1
    ratio = observed / required
    assert ratio == pytest.approx(0.95636, abs=1e-5)
    assert data["progress_value"] == pytest.approx(ratio)
    assert data["score"] == pytest.approx(7.1429 * ratio - 4.2857)
    assert data["expected_target_year_value"] == pytest.approx(3.2 * (1 + observed) ** 3)
    assert data["required_growth"] == pytest.approx((3.75 / 3.2) ** (1 / 3) - 1)
    assert data["status_label_en"] == "Substantial progress / on track"
    fc = forecast({2022: 2.9, 2023: 3.05, 2024: 3.2}, target_year=2027, target=3.75)
    assert data["forecast"] == {**fc.to_dict()}
    assert set(data["forecast"]) >= {
        "expected",
        "lower80",
        "upper80",
        "probability_meeting_target",
        "method",
    }
    assert data["forecast"]["lower80"] < data["forecast"]["expected"] < data["forecast"]["upper80"]


def test_human_summary_is_bilingual():
    out = run(*EXAMPLE).stdout
    assert "进展显著" in out and "Substantial progress" in out
    assert "0.9564" in out and "2.55" in out


def test_no_target_uses_the_no_target_method():
    data = run_json("--series", SERIES)
    core = assess({2022: 2.9, 2023: 3.05, 2024: 3.2}, base_year=2022, target_year=2024)
    assert data["method"] == "no_target"
    cagr = (3.2 / 2.9) ** (1 / 2) - 1
    assert data["progress_value"] == pytest.approx(cagr) == pytest.approx(core.progress_value)
    assert data["status"] == "substantial_progress"  # ≥ 1.5 % a year
    assert data["score"] == pytest.approx(min(500 * cagr - 5, 5))
    assert data["forecast"]["probability_meeting_target"] is None


@pytest.mark.parametrize("direction", ["down", "-1"])
def test_direction_down(direction):
    # lower is better: the value must fall from 3.2 to not more than 2.5 by 2027
    series = "2022=3.2,2023=3.0,2024=2.9"
    data = run_json(
        "--series", series, "--target", "2.5", "--target-year", "2027", "--direction", direction
    )
    core = assess(
        {2022: 3.2, 2023: 3.0, 2024: 2.9},
        base_year=2022,
        target_year=2027,
        target=2.5,
        direction=-1,
    )
    assert data["direction"] == -1
    assert data["status"] == core.status.value
    assert data["progress_value"] == pytest.approx(core.progress_value)
    ratio = -((2.9 / 3.2) ** 0.5 - 1) / abs((2.5 / 3.2) ** 0.2 - 1)
    assert data["progress_value"] == pytest.approx(ratio)
    # going up is deterioration when lower is better
    up = run_json(
        "--series", SERIES, "--target", "2", "--target-year", "2027", "--direction", direction
    )
    assert up["status"] == "deterioration"


def test_limit_is_passed_without_target():
    data = run_json("--series", "2022=97,2024=98", "--limit", "100")
    assert data["limit"] == 100 and data["limit_coefficient"] is not None
    assert not math.isnan(data["score"])


@pytest.mark.parametrize(
    ("series", "needle"),
    [
        ("2022:2.9,2023=3", "'2022:2.9'"),
        ("2022=2.9,2022=3.0", "2022"),
        ("2022=2.9,2023=abc", "'abc'"),
        ("twenty=2.9", "'twenty'"),
        ("", "empty"),
    ],
)
def test_bad_series_exits_2_naming_the_item(series, needle):
    result = run("--series", series, "--target", "3", "--target-year", "2027", code=2)
    assert needle in result.output
    assert "--series" in result.output


def test_bad_direction_and_missing_target_year_exit_2():
    assert "--direction" in run("--series", SERIES, "--direction", "sideways", code=2).output
    assert "--target-year" in run("--series", SERIES, "--target", "3", code=2).output


def test_bad_series_json_error():
    result = run("--series", "2022:2.9", "--json", code=2)
    data = json.loads(result.stdout)
    assert data["ok"] is False and "2022:2.9" in data["error"]
