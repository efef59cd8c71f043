"""The brief as Markdown and as a printable HTML page."""
from __future__ import annotations

from datetime import timedelta, timezone
from html import escape

from server.domain.brief.assessment import Assessment
from server.domain.brief.service import Brief
from server.domain.stations.params import BY_KEY
from server.domain.tasks.labels import KIND_LABELS
from server.reference import lifecycle

CST = timezone(timedelta(hours=8))
_LIFE = lifecycle()
SAMPLE_LABELS = {t["key"]: t["name_zh"] for t in _LIFE["sample_types"]}
METHOD_LABELS = {m["key"]: m["name_zh"] for m in _LIFE["methods"]}
BASIS_LABELS = {"DISCHARGE": "排放标准", "APPROVED": "批复限值", "RECEIVING_WATER": "受纳水体目标"}


def _sections(b: Brief) -> list[tuple[str, list[str], list[list[str]]]]:
    """The brief in words: codes (kinds, districts, parameters) shown by their Chinese labels."""
    hours = "—" if b.median_hours_to_close is None else f"{b.median_hours_to_close:g}"

    def place(code: str) -> str:
        return b.district_names.get(code, code)

    return [
        ("新增任务（按类型）", ["类型", "数量"], [[KIND_LABELS.get(k, k), str(n)] for k, n in b.new_by_kind]),
        ("新增任务（按区县）", ["区县", "数量"], [[place(d), str(n)] for d, n in b.new_by_district]),
        ("超标情况（出水按排口执行标准或批复限值、河水按受纳水体目标判定；超标倍数 = (C − 限值)/限值）",
         ["排口", "区县", "样品", "指标", "测值", "限值", "标准", "判定依据", "检测方式", "超标倍数"],
         [[f"{e.outfall_code} {e.outfall_name}", place(e.district_code), SAMPLE_LABELS.get(e.sample_type or "", "—"),
           e.parameter, f"{e.value:g} {e.unit}", "" if e.limit is None else f"{e.limit:g}", e.standard or "",
           BASIS_LABELS.get(e.basis or "", "—"), METHOD_LABELS.get(e.method, e.method),
           "" if e.multiple is None else f"{e.multiple:.2f}"] for e in b.exceedances]),
        ("审核", ["通过", "退回", "整改办结中位时长（小时）"], [[str(b.approved), str(b.rejected), hours]]),
        ("退回原因", ["任务", "原因"], [[c, r] for c, r in b.rejections]),
        ("逾期任务（按区县）", ["区县", "数量"], [[place(d), str(n)] for d, n in b.overdue_by_district]),
        *_assessment(b.assessment),
        (f"水质自动站：日末未达标断面（共 {b.water.stations} 个断面，仪器故障 {b.water.faults_open} 个）",
         ["断面", "区县", "最差类别", "超标指标", "最大超标倍数", "开始"],
         [_episode_row(e, place) for e in b.water.off_target]),
        ("水质自动站：未达标指标", ["指标", "断面数"], [[_param(p), str(n)] for p, n in b.water.by_parameter]),
        ("水质自动站：新发超标", ["断面", "区县", "最差类别", "超标指标", "最大超标倍数", "开始"],
         [_episode_row(e, place) for e in b.water.new]),
        ("水质自动站：已解除", ["断面", "区县", "最差类别", "超标指标", "最大超标倍数", "开始"],
         [_episode_row(e, place) for e in b.water.cleared]),
    ]


def _rate(r: float | None) -> str:
    return "—" if r is None else f"{r * 100:.1f}%"


def _meets(m: bool | None, target: float | None) -> str:
    if target is None:
        return "不评定"  # the city's target is not set: no pass/fail
    return "—" if m is None else ("达标" if m else "未达标")


def _assessment(a: Assessment | None) -> list[tuple[str, list[str], list[list[str]]]]:
    """考核 month to date; one section, or none when the brief was built without the city's settings."""
    if a is None:
        return []
    tc = "未设定" if a.target_completion_rate is None else _rate(a.target_completion_rate)
    tt = "未设定" if a.target_on_time_rate is None else _rate(a.target_on_time_rate)
    title = (f"区县考核（{a.start.isoformat()} 至 {a.end.isoformat()} 到期任务；目标：完成率 {tc}，按期完成率 {tt}"
             + ("；目标未设定的不评定达标" if None in (a.target_completion_rate, a.target_on_time_rate) else "") + "）")
    return [(title, ["区县", "到期任务", "已完成", "按期完成", "完成率", "按期完成率", "完成率评定", "按期评定"],
             [[d.district, str(d.due), str(d.completed), str(d.on_time), _rate(d.completion_rate),
               _rate(d.on_time_rate), _meets(d.meets_completion, a.target_completion_rate),
               _meets(d.meets_on_time, a.target_on_time_rate)] for d in a.districts])]


def _param(p: str) -> str:
    return BY_KEY[p].name_zh if p in BY_KEY else p


def _episode_row(e, place) -> list[str]:
    local = e.started_at.astimezone(CST)
    return [f"{e.station_code} {e.station_name}", place(e.district_code), e.worst_class or "",
            "、".join(_param(p) for p in e.parameters), "" if e.max_multiple is None else f"{e.max_multiple:.2f}",
            f"{local:%m-%d %H:%M}"]


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def to_markdown(b: Brief) -> str:
    out = [f"# 水环境每日简况 {b.day.isoformat()}（{b.scope}）", ""]
    for title, head, rows in _sections(b):
        out += [f"## {title}", ""]
        if not rows:
            out += ["无", ""]
            continue
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
        out.append("")
    return "\n".join(out)


def to_html(b: Brief) -> str:
    parts = [f"<h1>水环境每日简况 {escape(b.day.isoformat())}（{escape(b.scope)}）</h1>"]
    for title, head, rows in _sections(b):
        parts.append(f"<h2>{escape(title)}</h2>")
        if not rows:
            parts.append("<p>无</p>")
            continue
        th = "".join(f"<th>{escape(h)}</th>" for h in head)
        trs = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        parts.append(f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>")
    css = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#111}"
           "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #999;padding:.3em .6em}"
           "th{background:#eef}@media print{body{margin:1cm}h2{page-break-after:avoid}}")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>水环境每日简况 '
            f'{escape(b.day.isoformat())}</title><style>{css}</style></head><body>{"".join(parts)}</body></html>')
