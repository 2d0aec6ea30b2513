"""Every check an imported file goes through, by the rule code its problems carry: the
Chinese name a validation report shows instead of the code, what the check looks at and
whether it stops the import. The upload page's 填报说明 lists them from here and
``docs/data-formats.md`` documents the same codes (a test checks both name the same set)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckRule:
    code: str
    zh: str
    """The short Chinese name (a validation report's 检查项)."""
    what_zh: str
    """What is checked, in a sentence a township officer understands."""
    error: bool = True
    """An error stops the import; a warning is shown and the file is imported."""
    group: str = "cell"
    """Where the check looks: ``file``, ``header``, ``cell`` or ``row``."""


GROUPS_ZH = {"file": "文件", "header": "表头", "cell": "单元格", "row": "数据行"}

_RULES = (
    CheckRule("empty_file", "空文件", "文件没有任何内容。", group="file"),
    CheckRule(
        "binary_file", "文件类型", "文件不是表格或文本文件（例如图片、压缩包）。", group="file"
    ),
    CheckRule(
        "encoding", "文字编码", "文本文件的编码无法识别（支持 UTF-8、GBK、UTF-16）。", group="file"
    ),
    CheckRule(
        "bad_xlsx",
        "Excel 文件损坏",
        "Excel 文件无法打开，请用 Excel 或 WPS 重新保存。",
        group="file",
    ),
    CheckRule(
        "encrypted_or_bad_xls",
        "Excel 文件加密或损坏",
        "文件设有打开密码或已损坏，请去掉密码后重新保存。",
        group="file",
    ),
    CheckRule("zip_bomb", "异常压缩", "Excel 文件解压后异常庞大，为安全起见拒收。", group="file"),
    CheckRule("file_too_large", "文件过大", "文件超过系统设定的大小上限。", group="file"),
    CheckRule("file_unreadable", "文件无法读取", "文件内容无法按表格读取。", group="file"),
    CheckRule(
        "no_data_rows",
        "没有数据行",
        "文件只有表头，没有数据（例如原样退回的空模板）。",
        group="file",
    ),
    CheckRule("no_header", "找不到表头", "前 30 行中没有一行包含模板的列名。", group="header"),
    CheckRule("missing_column", "缺少必填列", "模板中带 * 的列在文件中找不到。", group="header"),
    CheckRule("duplicate_column", "列名重复", "同一列名在表头中出现两次。", group="header"),
    CheckRule("required", "必填项为空", "带 * 的列在该行为空。"),
    CheckRule("number_value", "不是数字", "数值列填写了无法识别为数字的内容。"),
    CheckRule("integer_value", "不是整数", "人数等整数列填写了小数或文字。"),
    CheckRule("bool_value", "是否项无法识别", "是否类列应填 是/否（或 有/无、Y/N、1/0）。"),
    CheckRule(
        "period_value",
        "报告期无法识别",
        "报告期应写作 2026年1-11月、2026年第3季度、2026年5月或 2026年等形式。",
    ),
    CheckRule("date_value", "日期无法识别", "日期应写作 2026年5月1日、2026-05-01 或 Excel 日期。"),
    CheckRule("range", "数值超出范围", "数值小于下限或大于上限（例如金额为负数）。"),
    CheckRule("choice", "取值不在可选范围", "该列只能填写下拉列表中的取值。"),
    CheckRule("unknown_unit", "单位无法识别", "表头或所选金额单位不是 元 / 千元 / 万元 / 亿元。"),
    CheckRule(
        "duplicate_key",
        "重复记录",
        "同一企业同一报告期（或同一关键字）在文件中出现两次。",
        group="row",
    ),
    CheckRule(
        "uscc",
        "统一社会信用代码有误",
        "代码不是 18 位，或校验位不符合 GB 32100-2015。",
        group="row",
    ),
    CheckRule(
        "unknown_township", "乡镇街道代码不存在", "乡镇街道代码不是本市的乡镇级单位。", group="row"
    ),
    CheckRule(
        "bad_phone",
        "联系电话有误",
        "联系电话只能含数字、-、+、空格、括号和分机号。",
        group="row",
    ),
    CheckRule(
        "unknown_industry",
        "行业代码不存在",
        "行业代码不是 GB/T 4754-2017 的行业小类。",
        group="row",
    ),
    CheckRule(
        "unknown_enterprise",
        "企业不在名录中",
        "该企业尚未登记在企业名录中，请先导入企业名录。",
        group="row",
    ),
    CheckRule("period_kind", "报告期类型不符", "研发统计的报告期应为 1-N月累计。", group="row"),
    CheckRule(
        "capitalised_exceeds_total",
        "资本化支出大于研发费用",
        "其中资本化研发支出不能大于研发费用合计。",
        group="row",
    ),
    CheckRule(
        "fte_exceeds_headcount",
        "全时当量大于人数",
        "研发人员全时当量不能大于研发人员数。",
        group="row",
    ),
    CheckRule(
        "ytd_decrease",
        "累计值下降",
        "1-N月累计值小于同年上一期的累计值；确属更正的，在「更正」列填 是。",
        group="row",
    ),
    CheckRule(
        "period_locked",
        "报告期已锁定",
        "该乡镇本期数据已审核锁定，须由管理员解锁后才能修改。",
        group="row",
    ),
    CheckRule("out_of_scope", "超出本辖区", "文件中有不属于本账号辖区的单位或企业。", group="row"),
    CheckRule(
        "unknown_org_unit",
        "区划代码不存在",
        "区划代码不是本市的市、区县或乡镇级单位。",
        group="row",
    ),
    CheckRule("unknown_element", "指标不存在", "指标代码或名称不是规划中的数据项。", group="row"),
    CheckRule(
        "unit_mismatch", "计量单位无法换算", "填写的计量单位无法换算为该指标的单位。", group="row"
    ),
    CheckRule(
        "rd_exceeds_revenue",
        "研发费用大于营业收入",
        "研发费用高于营业收入，可以导入，请核实。",
        error=False,
        group="row",
    ),
    CheckRule(
        "growth_outlier",
        "增速异常",
        "研发费用同比增速在本期企业中明显偏离（稳健 z 值大于 3.5），可以导入，请核实。",
        error=False,
        group="row",
    ),
)

CHECK_RULES: dict[str, CheckRule] = {r.code: r for r in _RULES}
"""Every import check by rule code, in the order a person meets them."""


def rule_zh(code: str) -> str:
    """The Chinese name of the check ``code`` (其他检查 for a code not listed here)."""
    rule = CHECK_RULES.get(code)
    return rule.zh if rule is not None else "其他检查"
