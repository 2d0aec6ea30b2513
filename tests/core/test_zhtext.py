import pytest

from yanzhi.core.zhtext import punctuate


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "按基期(2022年)以来的速度可如期达标, 但按近年趋势2027年达标概率33.8%"
            "(预测3.65%, 80%区间3.32–4.01%)。",
            "按基期（2022年）以来的速度可如期达标，但按近年趋势2027年达标概率33.8%"
            "（预测3.65%，80%区间3.32–4.01%）。",
        ),
        (
            "增长 8.2%(两期均有已审核报表的 9,155 家企业); 按总量",
            "增长 8.2%（两期均有已审核报表的 9,155 家企业）；按总量",
        ),
        ("研发费用(亿元)", "研发费用（亿元）"),
        ("占比(%)", "占比（%）"),
        ("注: 目标年为2027年", "注：目标年为2027年"),
        ("结论为“存在风险”: 按基期", "结论为“存在风险”：按基期"),
        # numbers, times, codes and addresses keep their ASCII marks
        ("合计 1,234.5 万元, 10:30 更新", "合计 1,234.5 万元，10:30 更新"),
        ("见 https://kjj.ningbo.gov.cn/a,b(c) 一文", "见 https://kjj.ningbo.gov.cn/a,b(c) 一文"),
        ("GB/T 4754-2017 (2019 修订) 行业", "GB/T 4754-2017（2019 修订）行业"),
        ("f(x) = a, b", "f(x) = a, b"),  # no Chinese: unchanged
        ("R&D(x)", "R&D(x)"),
    ],
)
def test_ascii_marks_in_chinese_text_become_full_width(text: str, want: str) -> None:
    assert punctuate(text) == want
    assert punctuate(want) == want  # idempotent
