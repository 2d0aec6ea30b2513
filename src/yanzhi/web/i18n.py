"""Chinese first, English on request: the words of the pages. Services already give
names in both languages (``name`` / ``name_en``, ``status_zh`` / ``status_en``); this
table holds the words of the pages themselves."""

from __future__ import annotations

from yanzhi.core.labels import ROLE_ZH

LANGS = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    "app": ("研值 · 科技创新规划监测平台", "yanzhi · innovation plan monitor"),
    "cockpit": ("驾驶舱", "Cockpit"),
    "indicators": ("指标", "Indicators"),
    "units": ("区县与乡镇", "Units"),
    "data": ("数据报送", "Data"),
    "tasks": ("任务", "Tasks"),
    "registers": ("台账", "Registers"),
    "evaluation": ("评价", "Evaluation"),
    "enterprises": ("企业", "Enterprises"),
    "reports": ("报告", "Reports"),
    "admin": ("系统管理", "Admin"),
    "notifications": ("通知", "Notifications"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "synthetic_banner": (
        "演示数据: 本系统中的企业与月度数据为合成数据, 不是真实统计; "
        "仅公开发布的年度数据标注了来源。",
        "Demo data: the enterprises and monthly figures here are SYNTHETIC; only published "
        "annual figures carry a source.",
    ),
    "value": ("当前值", "Value"),
    "target": ("目标", "Target"),
    "status": ("状态", "Status"),
    "forecast": ("预测", "Forecast"),
    "trend": ("趋势", "Trend"),
    "target_path": ("目标路径", "Target path"),
    "forecast_band": ("预测区间(80%)", "Forecast band (80 %)"),
    "warnings": ("预警", "Warnings"),
    "task_summary": ("任务进展(按工程)", "Tasks by programme"),
    "completeness": ("本期数据报送完整性", "Data completeness this period"),
    "map": ("各区(县、市)分布", "By district"),
    "export_xlsx": ("导出 Excel", "Export to Excel"),
    "no_data": ("暂无数据", "No data"),
    "forbidden": ("无权访问", "Access denied"),
    "not_found": ("未找到", "Not found"),
    "error": ("出错了", "Something went wrong"),
    "language": ("English", "中文"),
    "role": ("角色", "Role"),
    "scope": ("范围", "Scope"),
    "source": ("来源", "Source"),
    "synthetic": ("合成数据", "synthetic"),
    "year": ("年份", "Year"),
    "period": ("期别", "Period"),
    "unit": ("单位", "Unit"),
    "rank": ("排名", "Rank"),
    "score": ("得分", "Score"),
    "name": ("名称", "Name"),
    "search": ("搜索", "Search"),
    "submit": ("提交", "Submit"),
    "approve": ("审核通过", "Approve"),
    "unlock": ("解锁", "Unlock"),
    "reason": ("原因", "Reason"),
    "upload": ("上传", "Upload"),
    "download": ("下载", "Download"),
    "templates": ("模板", "Templates"),
    "audit": ("审计日志", "Audit log"),
    "users": ("用户", "Users"),
    "tokens": ("API 令牌", "API tokens"),
    "save": ("保存", "Save"),
    "format_docx": ("Word 文档", "DOCX"),
    "format_xlsx": ("Excel 表格", "XLSX"),
    "format_pdf": ("PDF 文件", "PDF"),
    **{
        f"role_{role}": (ROLE_ZH[role], en)
        for role, en in (
            ("admin", "Admin"),
            ("city_analyst", "City analyst"),
            ("district_officer", "District officer"),
            ("township_officer", "Township officer"),
            ("leader", "Leader (read-only)"),
            ("task_owner", "Task owner"),
            ("enterprise", "Enterprise"),
        )
    },
}


def pick(lang: str) -> str:
    return lang if lang in LANGS else "zh"


def t(key: str, lang: str) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def both(zh: str | None, en: str | None, lang: str) -> str:
    """A service's Chinese / English pair, in the page's language (falling back)."""
    if lang == "en":
        return en or zh or ""
    return zh or en or ""
