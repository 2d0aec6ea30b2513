"""Plan files: the shipped plans are valid and complete; every broken file in
tests/data/bad/plans/ is refused with exactly the errors its `# expect:` lines name."""

from pathlib import Path

import pytest

from yanzhi.core.issues import InputRejected
from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions
from yanzhi.ingest.planfile import builtin_plan_path, read_plan

DATA = Path(__file__).parents[1] / "data"
BAD = sorted((DATA / "bad" / "plans").glob("*.yaml"))


def expected(path: Path) -> list[tuple[str, str]]:
    lines = [
        ln.split(":", 1)[1].split()
        for ln in path.read_text("utf-8").splitlines()
        if ln.startswith("# expect:")
    ]
    return sorted((rule, where) for rule, where in lines)


def test_minimal_plan_is_valid():
    pf = read_plan(DATA / "plans" / "minimal.yaml")
    assert [t.code for t in pf.plan.tasks] == ["P1.T1", "P1.T2", "P2.T1"]
    assert len(pf.sha256) == 64


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_plan_is_refused_with_every_named_error(path):
    assert expected(path), f"{path.name} has no '# expect:' line"
    with pytest.raises(InputRejected) as exc:
        read_plan(path)
    got = sorted((i.rule, i.path) for i in exc.value.issues)
    assert got == expected(path)
    for issue in exc.value.issues:
        assert issue.file == str(path)
        assert issue.row is not None and issue.row > 1
        assert issue.message_zh and issue.message_en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in issue.message_zh)


def test_error_names_the_line_of_the_offending_value(tmp_path):
    path = DATA / "bad" / "plans" / "wrong_type.yaml"
    with pytest.raises(InputRejected) as exc:
        read_plan(path)
    (issue,) = exc.value.issues
    line = path.read_text("utf-8").splitlines()[issue.row - 1]
    assert "三点四" in line
    assert "number" in issue.message_en and "数值" in issue.message_zh


def test_yaml_syntax_error_and_non_utf8_and_missing_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("plan: [unclosed\n", "utf-8")
    with pytest.raises(InputRejected) as exc:
        read_plan(broken)
    assert exc.value.issues[0].rule == "yaml_syntax" and exc.value.issues[0].row == 2
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("plan: 宁波".encode("gbk"))
    with pytest.raises(InputRejected, match="UTF-8"):
        read_plan(gbk)
    with pytest.raises(InputRejected, match="cannot read"):
        read_plan(tmp_path / "nope.yaml")
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n", "utf-8")
    with pytest.raises(InputRejected, match="mapping"):
        read_plan(scalar)


def test_functional_zone_members_are_checked_against_the_division_tree(tmp_path):
    text = (DATA / "plans" / "minimal.yaml").read_text("utf-8")
    text += "functional_zones:\n  - {code: Z1, name: 测试区, members: ['330206401', '330299999']}\n"
    path = tmp_path / "zones.yaml"
    path.write_text(text, "utf-8")
    units = [u.code for u in read_divisions(builtin_divisions_path())]
    with pytest.raises(InputRejected) as exc:
        read_plan(path, known_units=units)
    assert [(i.rule, i.path, i.value) for i in exc.value.issues] == [
        ("unknown_unit", "functional_zones[0].members[1]", "330299999")
    ]
    assert read_plan(path).plan.functional_zones[0].members == ("330206401", "330299999")


# -- the shipped Ningbo plan ------------------------------------------------------------


@pytest.fixture(scope="module")
def ningbo():
    units = [u.code for u in read_divisions(builtin_divisions_path())]
    return read_plan(builtin_plan_path("ningbo"), known_units=units).plan


def test_ningbo_metadata(ningbo):
    m = ningbo.meta
    assert (m.start_year, m.end_year, m.baseline_year, m.region) == (2023, 2027, 2022, "330200")
    assert m.issuer == "宁波市科技局" and m.status == "draft" and not m.synthetic
    assert "六大工程" in m.title


def test_ningbo_has_6_programmes_of_4_tasks_in_the_seed_order(ningbo):
    assert [p.code for p in ningbo.programmes] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert all(len(p.tasks) == 4 for p in ningbo.programmes)
    assert [t.code for t in ningbo.programmes[2].tasks] == ["P3.T1", "P3.T2", "P3.T3", "P3.T4"]
    titles = [p.title for p in ningbo.programmes]
    assert titles[0].startswith("全域科创深化提升") and titles[5].startswith("改革创新提质增效")
    assert ningbo.programmes[2].tasks[1].title == "深化关键核心技术攻关"
    assert all(t.text and t.lead is None for t in ningbo.tasks)


def test_ningbo_headline_indicators_and_targets(ningbo):
    got = {
        i.code: (i.target.value, i.target.year, i.direction, i.unit)
        for i in ningbo.headline_indicators
    }
    assert got == {
        "RD_GDP": (3.75, 2027, "up", "%"),
        "IND_RD_INTENSITY": (3.4, 2027, "up", "%"),
        "HT_SHARE": (66, 2027, "up", "%"),
        "HVIP_PER_10K": (20, 2027, "up", "件/万人"),
        "RD_STAFF_PER_10K": (200, 2027, "up", "人年/万人"),
    }
    intensity = ningbo.indicator("IND_RD_INTENSITY").formula
    assert (intensity.numerator, intensity.denominator, intensity.factor) == (
        "rd_expense",
        "operating_revenue",
        100,
    )
    assert intensity.filter == {"above_size_industrial": True}


def test_ningbo_task_targets_are_structured(ningbo):
    targets = {q.metric: (q.value, q.kind) for t in ningbo.tasks for q in t.targets}
    assert targets["key_rd_projects"] == (100, "annual")
    assert targets["application_scenarios"] == (400, "cumulative")
    assert targets["key_laboratories"][0] == 100
    assert targets["innovation_poles"][0] == 10
    assert targets["provincial_tech_innovation_centres"][0] == 3
    assert targets["ip_service_agencies"] == (10, "cumulative")
    assert targets["top_talents"][0] == 25
    assert targets["leading_talents"][0] == 500
    assert targets["high_skill_worker_share"][0] == 35


def test_ningbo_guarantee_rules(ningbo):
    assert [g.code for g in ningbo.guarantees] == ["G1", "G2", "G3", "G4"]
    rules = {r.metric: r for g in ningbo.guarantees for r in g.rules}
    assert (rules["fiscal_st_spending"].kind, rules["fiscal_st_spending"].value) == ("growth", 15)
    threshold = next(r for r in rules.values() if r.kind == "threshold")
    assert (threshold.value, threshold.comparator) == (5, ">")
    assert any(r.kind == "amount" and r.value == 1000 for r in rules.values())


def test_example_plan_is_another_city_and_labelled_fictional():
    plan = read_plan(builtin_plan_path("example")).plan
    assert plan.meta.synthetic and plan.meta.region != "330200"
    assert any(i.direction == "down" for i in plan.headline_indicators)


def test_every_point_of_the_ningbo_plan_names_its_source():
    """Every baseline, target and interim target: the document and article, or an
    assumption of the platform with its reason (issue #15, point 6)."""
    plan = read_plan(builtin_plan_path("ningbo")).plan
    points = [
        (i.code, p)
        for i in plan.indicators
        for p in (i.baseline, i.target, *i.interim_targets)
        if p is not None
    ]
    assert len(points) == 18
    for code, p in points:
        assert p.source and p.source.strip(), code
        assumed = p.source.startswith("本平台假设")
        # a stated value is sourced to a document; an unknown baseline is an assumption
        documented = any(k in p.source for k in ("《", "kjj.ningbo.gov.cn", "tibet.cn"))
        assert assumed or documented, (code, p.source)
    targets = {i.code: i.target.source for i in plan.indicators if i.target}
    assert all("主要目标" in s for s in targets.values())


def test_the_example_plan_still_loads_without_sources():
    """A synthetic plan need not source its fictional points."""
    plan = read_plan(builtin_plan_path("example")).plan
    assert plan.meta.synthetic and plan.indicators
