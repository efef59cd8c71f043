"""Human labels of the task enums, one place for the brief, the exports and the API's descriptions."""
from __future__ import annotations

KIND_LABELS = {"ILLEGAL_DISCHARGE": "偷排漏排", "EXCEEDANCE": "超标排放", "FLOATING_DEBRIS": "水面漂浮物",
               "RIVERBANK_GARBAGE": "岸边垃圾", "SIGNBOARD": "标识牌", "OUTFALL_REMEDIATION": "排口整治", "OTHER": "其他"}
SOURCE_LABELS = {"INSPECTION": "巡查发现", "SAMPLE_EXCEEDANCE": "采样超标", "VIDEO_AI": "视频AI识别", "DRONE": "无人机",
                 "MANUAL": "人工派发", "STATION": "水质站预警", "PUBLIC_COMPLAINT": "群众举报",
                 "RIVER_CHIEF": "河长交办", "INSPECTION_TEAM": "督察交办"}
STATUS_LABELS = {"OPEN": "待处理", "IN_PROGRESS": "整改中", "SUBMITTED": "待审核", "APPROVED": "已办结",
                 "REJECTED": "已退回", "CANCELLED": "已撤销"}
