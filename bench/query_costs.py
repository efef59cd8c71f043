"""The cost (server/graphql/cost.py) of the heaviest legitimate pages, and of the issue's attack.

    python bench/query_costs.py

The pages are the very strings the phone (mobile/core/client.py) and the HTTP benchmark send,
at the page sizes they use; the limit in Settings.max_cost is chosen from this table.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_bench import DETAIL_Q, MAP_Q, NEAR_Q, STATS_Q, TASKS_Q  # noqa: E402
from mobile.core import client as phone  # noqa: E402
from server.graphql.cost import query_cost  # noqa: E402
from server.graphql.schema import create_schema  # noqa: E402
from server.settings import Settings  # noqa: E402

PHONE_OUTFALLS = (f"query($f:OutfallFilter,$n:Int,$a:String){{outfalls(filter:$f,first:$n,after:$a)"
                  f"{{totalCount pageInfo{{hasNextPage endCursor}} edges{{node{{ {phone.OUTFALL} }}}}}}}}")
PHONE_TASKS = f"query($f:TaskFilter,$n:Int){{tasks(filter:$f,first:$n){{edges{{node{{ {phone.TASK} }}}}}}}}"
PHONE_OUTFALL = (f"query($i:ID,$c:String){{outfall(id:$i,code:$c){{ {phone.OUTFALL} "
                 f"latestInspection{{ {phone.INSPECTION} }} }}}}")
from mobile.app.lookups import OUTFALL_HISTORY, SUBMISSION_EVIDENCE  # noqa: E402

# A desk's review queue in one request (the console's shape): every SUBMITTED task with its evidence.
REVIEW_QUEUE = """{ tasks(filter: {status: [SUBMITTED]}, first: 100) { totalCount edges { node {
  id code kind status title deadline isOverdue outfall { id code name district { code name } river { code name } }
  latestSubmission { id submittedAt note status checks { code severity message }
    before { id sha256 width height takenAt thumbnailUrl url checks { code severity message } }
    after { id sha256 width height takenAt thumbnailUrl url checks { code severity message } } } } } } }"""
ATTACK = "{ " + " ".join(f"a{i}: outfalls(first: 500) {{ edges {{ node {{ tasks {{ totalCount }} }} }} }}"
                         for i in range(30)) + " }"

PAGES = [
    ("map of 500 (bench MAP_Q)", MAP_Q, {"b": {"south": 0, "west": 0, "north": 1, "east": 1}}),
    ("phone: outfalls page of 500 (outfalls_page)", PHONE_OUTFALLS, {"n": 500}),
    ("phone: officer's tasks, first 500 (tasks)", PHONE_TASKS, {"n": 500}),
    ("phone: officer's tasks, first 100 (its default)", PHONE_TASKS, {"n": 100}),
    ("phone review queue: SUBMITTED tasks, first 100 (tasks)", PHONE_TASKS, {"n": 100, "f": {"status": ["SUBMITTED"]}}),
    ("phone review: one submission's evidence (SUBMISSION_EVIDENCE)", SUBMISSION_EVIDENCE, {"id": "1"}),
    ("phone: an outfall's history (OUTFALL_HISTORY)", OUTFALL_HISTORY, {"id": "1"}),
    ("desk review queue: 100 SUBMITTED tasks with checks + photos", REVIEW_QUEUE, {}),
    ("bench tasks first 50 (TASKS_Q)", TASKS_Q, {}),
    ("outfall detail with 20 inspections (DETAIL_Q)", DETAIL_Q, {"id": "1"}),
    ("phone: one outfall + latest inspection", PHONE_OUTFALL, {"i": "1"}),
    ("nearby 20 (NEAR_Q)", NEAR_Q.replace("__LAT__", "29.5").replace("__LON__", "106.5"), {}),
    ("stats by district (STATS_Q)", STATS_Q, {}),
    ("issue 12 attack: 30 x outfalls(500){tasks{totalCount}}", ATTACK, {}),
]


def main() -> None:
    s = Settings()
    schema = create_schema(s)
    print(f"limit (Settings.max_cost): {s.max_cost}, page cap: {s.max_page}\n")
    print(f"{'cost':>8}  page")
    for name, q, v in PAGES:
        print(f"{query_cost(schema, q, v, max_page=s.max_page):>8}  {name}")


if __name__ == "__main__":
    main()
