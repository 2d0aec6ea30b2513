"""`yanzhi composite …` on COINr's ASEM example: build, uncertainty, sensitivity, removal."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from yanzhi.cli.main import app

DATA = Path(__file__).parents[1] / "data"
ASEM = DATA / "oracles" / "asem"
SPEC = DATA / "composite" / "asem_spec.yaml"
INPUTS = ["--idata", str(ASEM / "ASEM_iData.csv"), "--imeta", str(ASEM / "ASEM_iMeta.csv")]
DATASETS = ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"]
UNCERTAIN = """\
- path: normalise
  alternatives:
    - {method: minmax, l_u: [0, 100]}
    - {method: zscore, m_sd: [10, 2]}
    - {method: rank}
- path: treat
  alternatives: [{winmax: 5}, none]
- weights_noise: 0.25
  levels: [1, 2]
"""
EXPECTED = {  # uCode: (Index, Rank)
    "CHE": (68.38, 1),
    "NLD": (64.82, 2),
    "DNK": (64.80, 3),
    "NOR": (64.47, 4),
    "BEL": (63.54, 5),
    "SWE": (63.00, 6),
    "IND": (39.79, 45),
    "RUS": (35.66, 51),
}
runner = CliRunner()


def run(*args: str, code: int = 0):
    result = runner.invoke(app, ["composite", *args])
    assert result.exit_code == code, result.output
    return result


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("asem") / "build"
    run("build", *INPUTS, "--config", str(SPEC), "--out", str(out))
    return out


@pytest.fixture
def uncertain(tmp_path) -> Path:
    path = tmp_path / "uncertain.yaml"
    path.write_text(UNCERTAIN, encoding="utf-8")
    return path


def test_build_reproduces_coinr_asem(built):
    res = read(built / "results.csv").set_index("uCode")
    for unit, (score, rank) in EXPECTED.items():
        assert res.loc[unit, "Index"] == pytest.approx(score, abs=0.01)
        assert res.loc[unit, "Rank"] == rank
    assert res.loc["CHE", "Conn"] == pytest.approx(62.79, abs=0.01)
    assert res.loc["CHE", "Sust"] == pytest.approx(73.98, abs=0.01)
    assert list(res.columns[:4]) == ["Rank", "Index", "Conn", "Sust"]
    assert res["Index"].is_monotonic_decreasing and len(res) == 51


def test_build_writes_every_file_with_ucode_first(built):
    for name in [*DATASETS, "results", "treated_points"]:
        df = read(built / f"{name}.csv")
        assert df.columns[0] == "uCode", name
        assert len(df) == 51, name
    raw = read(built / "Raw.csv")
    assert len(raw.columns) == 1 + 49
    agg = read(built / "Aggregated.csv")
    assert {"Index", "Conn", "Sust", "Physical"} <= set(agg.columns)
    points = read(built / "treated_points.csv")
    assert (points["Services"] == "winhi").sum() == 4
    weights = read(built / "weights.csv")
    assert list(weights.columns[:2]) == ["iCode", "Level"]
    assert weights.loc[weights["Level"] == 1, "EffWeight"].sum() == pytest.approx(1)
    assert (built / "spec.yaml").is_file()


def test_written_spec_round_trips(built, tmp_path):
    again = tmp_path / "again"
    run("build", *INPUTS, "--config", str(built / "spec.yaml"), "--out", str(again))
    assert (again / "results.csv").read_bytes() == (built / "results.csv").read_bytes()
    assert (again / "spec.yaml").read_text("utf-8") == (built / "spec.yaml").read_text("utf-8")
    text = (built / "spec.yaml").read_text("utf-8")
    assert "EurAsia_group" in text and "winmax: 5" in text and "max_lag" in text


def test_build_json_summary_and_default_spec(tmp_path):
    data = json.loads(run("build", *INPUTS, "--out", str(tmp_path), "--json").stdout)
    assert data["ok"] is True and data["index"] == "Index" and data["n_units"] == 51
    assert len(data["top"]) == 10 and data["top"][0]["Rank"] == 1
    assert data["spec"]["impute"]["group"] == "GDP_group"  # default: first Group column
    out = run("build", *INPUTS, "--config", str(SPEC), "--out", str(tmp_path / "h")).stdout
    assert "CHE" in out and "68.38" in out


def test_build_with_a_weights_file(tmp_path):
    (tmp_path / "w.csv").write_text("iCode,Weight\nConn,3\nSust,1\n", encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.read_text("utf-8").replace("weights: original", "weights: w.csv"))
    run("build", *INPUTS, "--config", str(spec), "--out", str(tmp_path / "o"))
    res = read(tmp_path / "o" / "results.csv").set_index("uCode")
    che = res.loc["CHE"]
    assert che["Index"] == pytest.approx(0.75 * che["Conn"] + 0.25 * che["Sust"])


def test_uncertainty_is_reproducible(tmp_path, uncertain):
    args = [*INPUTS, "--config", str(SPEC), "--uncertain", str(uncertain), "--n", "50"]
    run("uncertainty", *args, "--seed", "1", "--out", str(tmp_path / "a"))
    run("uncertainty", *args, "--seed", "1", "--out", str(tmp_path / "b"))
    first = (tmp_path / "a" / "rank_stats.csv").read_bytes()
    assert first == (tmp_path / "b" / "rank_stats.csv").read_bytes()
    stats = read(tmp_path / "a" / "rank_stats.csv")
    assert list(stats.columns) == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    assert len(stats) == 51
    assert ((stats["Q5"] <= stats["Median"]) & (stats["Median"] <= stats["Q95"])).all()
    assert stats.set_index("uCode").loc["CHE", "Nominal"] == 1


def test_sensitivity_writes_indices(tmp_path, uncertain):
    result = run(
        "sensitivity",
        *INPUTS,
        "--config",
        str(SPEC),
        "--uncertain",
        str(uncertain),
        "--n",
        "40",
        "--seed",
        "1",
        "--out",
        str(tmp_path),
        "--json",
    )
    data = json.loads(result.stdout)
    assert data["runs"] == 40 * (4 + 2)
    sens = read(tmp_path / "sensitivity.csv")
    assert {"Si", "STi", "Si_lo", "Si_hi", "STi_lo", "STi_hi"} <= set(sens.columns)
    assert list(sens["Input"]) == [
        "normalise",
        "treat",
        "weights.noise.level1",
        "weights.noise.level2",
    ]


def test_remove_elements_one_row_per_level2_component(tmp_path):
    run("remove-elements", *INPUTS, "--config", str(SPEC), "--level", "2", "--out", str(tmp_path))
    table = read(tmp_path / "remove_elements.csv")
    assert list(table["iCode"]) == [
        "Physical",
        "ConEcFin",
        "Political",
        "Instit",
        "P2P",
        "Environ",
        "Social",
        "SusEcFin",
    ]
    assert (table["MeanAbsRankChange"] > 0).all()
    run("remove-elements", *INPUTS, "--level", "4", "--out", str(tmp_path), code=2)


def _broken(tmp_path: Path) -> list[str]:
    (tmp_path / "d.csv").write_text("uCode,i1,i2\nA,1,2\nB,2,3\nC,3,1\nD,4,4\n")
    (tmp_path / "m.csv").write_text(
        "Level,iCode,Direction,Weight,Parent,Type\n"
        "1,i1,1,1,P,Indicator\n1,i2,1,1,Nope,Indicator\n2,P,1,1,,Aggregate\n"
    )
    return ["--idata", str(tmp_path / "d.csv"), "--imeta", str(tmp_path / "m.csv")]


def test_broken_imeta_exits_1_naming_row_and_rule(tmp_path):
    args = _broken(tmp_path)
    out = run("build", *args, "--out", str(tmp_path / "o"), code=1).output
    assert "iMeta row 2, column Parent" in out and "unknown_parent" in out
    assert "Nope" in out
    data = json.loads(run("build", *args, "--out", str(tmp_path / "o"), "--json", code=1).stdout)
    assert data["ok"] is False
    assert data["errors"][0] == {
        "table": "iMeta",
        "row": 2,
        "column": "Parent",
        "rule": "unknown_parent",
        "message_zh": data["errors"][0]["message_zh"],
        "message_en": "Parent Nope of i2 is not a defined aggregate",
    }
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("normalise: {method: foo}\n", "invalid_option"),
        ("impute: [1\n", "yaml_syntax"),
        ("colour: red\n", "unknown_key"),
        ("weights: missing.csv\n", "file_not_found"),
    ],
)
def test_bad_spec_exits_1(tmp_path, spec, needle):
    (tmp_path / "spec.yaml").write_text(spec)
    out = run(
        "build",
        *INPUTS,
        "--config",
        str(tmp_path / "spec.yaml"),
        "--out",
        str(tmp_path / "o"),
        code=1,
    ).output
    assert needle in out


def test_bad_uncertain_file_lists_every_item(tmp_path):
    (tmp_path / "u.yaml").write_text(
        "- path: normalise\n  alternatives: []\n- weights_noise: 3\n- colour: red\n"
    )
    out = run(
        "uncertainty",
        *INPUTS,
        "--uncertain",
        str(tmp_path / "u.yaml"),
        "--out",
        str(tmp_path / "o"),
        code=1,
    ).output
    for needle in (
        "uncertain row 1",
        "empty_alternatives",
        "uncertain row 2",
        "invalid_noise",
        "uncertain row 3",
        "invalid_item",
    ):
        assert needle in out
