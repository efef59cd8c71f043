"""Render bench/results/http_latest.json as the Markdown tables of bench/RESULTS.md.

    python bench/results_table.py [bench/results/http_latest.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _cpu(r: dict) -> str:
    v = r.get("server_cpu_ms_per_request")
    return f"{v:.1f}" if v is not None else ""


def table(results: dict) -> str:
    out = []
    if "started" in results:
        out.append(f"Run started {results['started']}; load average at start "
                   f"{results.get('load_average_at_start')}, at end {results.get('load_average_at_end')}; "
                   f"{results.get('duration_s')} s per cell.")
        out.append("")
    out += ["| case | server | p50 c=1 | p95 c=1 | p99 c=1 | rps c=1 | p50 c=16 | p95 c=16 | p99 c=16 | rps c=16 "
            "| CPU ms/req c=1 / c=16 | load 1-min |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["rows"]:
        a, b = r["c1"], r["c16"]
        label = f"({r['case']}) {r['label']}"
        if "background_writes_per_s" in a:
            label += f" ({a['background_writes_per_s']:.0f} / {b['background_writes_per_s']:.0f} writes/s beside it)"
        cpu = f"{_cpu(a)} / {_cpu(b)}" if _cpu(a) else ""
        load = f"{a.get('load_average', '')} / {b.get('load_average', '')}" if "load_average" in a else ""
        out.append(f"| {label} | {r['server']} | {a['p50']:.1f} | {a['p95']:.1f} | {a['p99']:.1f} | {a['rps']:.0f} | "
                   f"{b['p50']:.1f} | {b['p95']:.1f} | {b['p99']:.1f} | {b['rps']:.0f} | {cpu} | {load} |")
    out.append("")
    out.append("Peak memory (VmHWM, MB): " + ", ".join(f"{k} {v}" for k, v in results["peak_rss_mb"].items()))
    out.append("")
    out.append("| ratio | value |")
    out.append("|---|---|")
    out += [f"| {k} | {v} |" for k, v in results["ratios"].items()]
    if results.get("goals"):
        out.append("")
        out.append("| goal (response cache off) | this run | target | met? |")
        out.append("|---|---|---|---|")
        out += [f"| {g['goal']} | {g['value']} | {g['target']} | {'yes' if g['met'] else 'no'} |"
                for g in results["goals"]]
    return "\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results" / "http_latest.json")
    print(table(json.loads(path.read_text())))
