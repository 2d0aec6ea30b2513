"""The drafting rules on short texts (issue #22): normalising scanned text, numbered
markers, targets with comparator, year, stretch values and interim years, landmarks,
lead units, and stated counts."""

from __future__ import annotations

from yanzhi.core.plandraft import normalise
from yanzhi.core.plandraft.markers import blocks, cn_ordinal
from yanzhi.core.plandraft.structure import find_sections, find_title, find_units
from yanzhi.core.plandraft.targets import find_landmarks, find_targets, stated_counts


def test_normalise_removes_scan_spaces_and_full_width_forms():
    raw = "全社会研究与试 验发展经费支出占地区生产总值比重达到３．７５％，规上工业 企业\r\n"
    assert normalise(raw) == "全社会研究与试验发展经费支出占地区生产总值比重达到3.75%,规上工业企业"


def test_normalise_joins_lines_a_page_wrapped_but_keeps_headings():
    text = (
        "一是加快科技企业梯队培育。深入实施科技型企业双倍增、企业研发创新行动,增强企业\n"
        "创新发展能力。\n二是深化攻关。"
    )
    assert normalise(text).split("\n") == [
        "一是加快科技企业梯队培育。深入实施科技型企业双倍增、企业研发创新行动,增强企业创新发展能力。",
        "二是深化攻关。",
    ]


def test_markers_are_found_in_order_even_glued_to_the_text_before():
    assert [cn_ordinal(n) for n in (1, 10, 12, 20, 24)] == ["一", "十", "十二", "二十", "二十四"]
    text = "1、甲工程。一是甲一。二是甲二。促进“双向成就2、乙工程。一是乙一。共24项"
    progs = blocks(text, "arabic", 0, len(text))
    assert [p.text(text)[:3] for p in progs] == ["甲工程", "乙工程"]
    shi = blocks(text, "shi", progs[0].marker.body, progs[0].end)
    assert [b.text(text) for b in shi] == ["甲一。", "甲二。促进“双向成就"]


def test_targets_read_value_unit_comparator_year_and_stretch_value():
    text = (
        "主要目标是:到2025年,研发投入强度达到3%,每万人高价值发明专利拥有量不低于15件;"
        "到2027年,研发投入强度达到3.5%以上、争取达到4%,跃居全省前10位,高新技术产业投资同比增长15%,"
        "技术交易额突破900亿元,“315”体系形成。"
    )
    got = [
        (t.name, t.value, t.unit, t.comparator, t.year, t.alternative, t.growth)
        for t in find_targets(text, 0, len(text), 2030)
    ]
    assert got == [
        ("研发投入强度", 3, "%", ">=", 2025, None, False),
        ("每万人高价值发明专利拥有量", 15, "件", ">=", 2025, None, False),
        ("研发投入强度", 3.5, "%", ">=", 2027, 4, False),
        ("高新技术产业投资同比增长", 15, "%", ">=", 2027, None, True),
        ("技术交易额", 900, "亿元", ">", 2027, None, False),
    ]


def test_targets_given_respectively_are_paired_with_their_names():
    text = "到2027年,全区高新技术企业和科技型企业在2022年的基础上实现“双倍增”,分别超过90家和870家。"
    got = [(t.name, t.value, t.comparator) for t in find_targets(text, 0, len(text), None)]
    assert got == [("全区高新技术企业", 90, ">"), ("科技型企业", 870, ">")]


def test_landmarks_by_round_chinese_numerals_and_stated_counts():
    text = (
        "提出实施六大工程,明确24项重点任务。打造十大区域创新极,打造百家重点实验室。"
        "打造千亿科技创新基金。十四五期间"
    )
    assert [(x.title, x.value, x.unit) for x in find_landmarks(text, 0, len(text))] == [
        ("十大区域创新极", 10, "个"),
        ("百家重点实验室", 100, "家"),
        ("千亿科技创新基金", 1000, "亿元"),
    ]
    assert stated_counts(text) == (6, 24)


def test_lead_and_co_operating_units():
    leads, cos, span = find_units("推进科创走廊建设。(市科技局牵头,市发改委、市财政局配合)")
    assert (leads, cos) == (["市科技局"], ["市发改委", "市财政局"]) and span is not None
    leads, cos, _ = find_units("建设孵化器。牵头单位:区科技局;配合单位:区财政局、区经信局")
    assert (leads, cos) == (["区科技局"], ["区财政局", "区经信局"])
    assert find_units("没有单位的任务。") == ([], [], None)


def test_title_from_a_covering_notice_and_sections_by_their_headings():
    text = (
        "关于印发《河城市科技创新行动方案(2024-2026年)》的通知\n"
        "一、总体要求\n(二)主要目标\n到2026年,研发投入强度达到3%。\n"
        "二、重点任务\n(一)甲行动\n1.甲一。\n三、保障措施\n(一)加强领导。"
    )
    title = find_title(text)
    assert title is not None and title.value == "河城市科技创新行动方案(2024-2026年)"
    s = find_sections(text)
    assert s.objectives is not None and "研发投入强度" in text[slice(*s.objectives)]
    assert text[slice(*s.tasks)].strip().startswith("(一)甲行动")
    assert s.guarantees is not None and text[slice(*s.guarantees)].strip() == "(一)加强领导。"
