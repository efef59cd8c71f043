// Chinese by default, English by a switch kept in localStorage. One dictionary per language; a missing
// English entry falls back to the Chinese one so nothing shows a bare key.
const LANG_KEY = "outfallwatch.lang";
export type Lang = "zh" | "en";

export let lang: Lang = (localStorage.getItem(LANG_KEY) as Lang) || "zh";

export function setLang(l: Lang) {
  lang = l;
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  window.dispatchEvent(new CustomEvent("ow:lang"));
}
document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";

const zh: Record<string, string> = {
  app: "入河排污口巡查整治", screenTitle: "入河排污口指挥调度中心",
  map: "一张图", tasks: "任务台账", review: "审核", brief: "简报统计", screen: "大屏", signOut: "退出",
  signIn: "登录", username: "用户名", password: "密码", signInFailed: "登录失败",
  language: "English", filters: "筛选", river: "河流", district: "区县", category: "类别", phase: "阶段",
  all: "全部", openTask: "有未结任务", overdue: "逾期", search: "搜索编号或名称", colourBy: "着色",
  byPhase: "按查测溯治阶段", byExceedance: "按最近超标", byTask: "按未结/逾期任务",
  filtered: "筛选结果", onScreen: "视野内", outfalls: "个排污口", loading: "加载中…", loaded: "已加载",
  exportGeojson: "导出 GeoJSON", exportCsv: "导出 CSV", exportXlsx: "导出 XLSX",
  SURVEYED: "查（排查）", MONITORED: "测（监测）", TRACED: "溯（溯源）", REMEDIATED: "治（整治）",
  INDUSTRIAL: "工业", URBAN_SEWAGE_PLANT: "城镇污水处理厂", AGRICULTURAL: "农业", OTHER: "其他",
  exceeded: "最近超标", notExceeded: "最近达标", noInspection: "无检测", noTask: "无未结任务",
  hasOpenTask: "有未结任务", hasOverdue: "有逾期任务",
  profile: "排污口画像", code: "编号", name: "名称", waterClass: "水质类别", remediation: "整治方式",
  status: "状态", responsibleUnit: "责任单位", signboard: "标识牌", yes: "是", no: "否",
  timeline: "阶段进程", inspections: "巡查检测", readings: "检测读数", limit: "限值", photos: "照片",
  createTask: "新建任务", title: "标题", kind: "类型", deadline: "期限", description: "说明", save: "保存", cancel: "取消",
  created: "已创建", task: "任务", outfall: "排污口", countdown: "剩余", overdueBy: "已逾期",
  history: "历程", submittedAt: "提交时间", reviewer: "审核人", reason: "理由", decision: "结果",
  queue: "待审核", oldestFirst: "最早提交在前", before: "整改前", after: "整改后", checks: "证据核验",
  approve: "通过", reject: "退回", rejectReason: "退回理由", reuseReason: "常用理由",
  alreadyDecided: "已由 {who} 处理：{decision}", decided: "已处理", noQueue: "没有待审核的提交",
  shortcuts: "快捷键：J/K 上一条/下一条 · A 通过 · R 退回 · 1-9 常用理由 · Z 放大",
  photoPositions: "拍摄位置", site: "排污口位置",
  finding: "发现照片", storedPhoto: "已存照片 #{id}", whatWasDone: "对原图所做的处理：{edits}", reencoded: "重新编码、调色或加字",
  photoTaken: "拍摄位置", apart: "相距 {d}", checkEvidence: "核验依据",
  date: "日期", print: "打印", tasksByDistrict: "各区县任务", tasksByKind: "任务类型", medianHours: "平均结案时长中位数（小时）",
  exceedancesByParam: "超标参数", overdueByDistrict: "各区县逾期", noOverdue: "当前无逾期任务", hideStats: "收起", showStats: "展开统计", waitingEvents: "等待任务动态…", approved: "通过", rejected: "退回",
  newTasks: "新建任务", exceedances: "超标",
  openTasks: "未结任务", overdueTasks: "逾期任务", exceedancesToday: "今日超标", closedThisWeek: "本周结案",
  liveFeed: "实时动态", connected: "实时连接正常", reconnecting: "连接中断，正在重连…",
  CREATED: "新建", STARTED: "开始整改", SUBMITTED: "提交整改", APPROVED: "审核通过", REJECTED: "审核退回", OVERDUE: "逾期", CANCELLED: "撤销",
  OPEN: "待处理", IN_PROGRESS: "整改中",
  ILLEGAL_DISCHARGE: "违法排污", EXCEEDANCE: "超标", FLOATING_DEBRIS: "水面漂浮物", RIVERBANK_GARBAGE: "岸线垃圾",
  SIGNBOARD: "标识牌", OUTFALL_REMEDIATION: "排污口整治",
  INFO: "提示", WARNING: "警告", FAIL: "不通过",
  forbidden: "无权访问", notFound: "未找到", error: "出错了", retry: "重试", none: "无",
  sort: "排序", close: "关闭", zoom: "放大", export: "导出", moreRows: "更多", refresh: "刷新",
  ledgerExportCsv: "导出台账 CSV", ledgerExportXlsx: "导出台账 XLSX", selectSubmission: "选择一条提交",
  noTileServer: "底图：本地参考数据（河流、区县）",
  stations: "监测断面", station: "监测断面", showStations: "显示监测断面", stationLegend: "断面：最近一日水质类别（红圈＝未达标）",
  offTarget: "未达标", meetsTarget: "达标", noData: "无数据", targetClass: "水质目标", level: "级别", waterBody: "水体",
  riverKm: "河道里程（km）", calendar: "碧水日历", series: "时间序列", trend: "趋势（季节性 Mann-Kendall）",
  forecast: "预测", episodes: "不达标过程", suspects: "上游嫌疑排污口", parameter: "参数", year: "年份",
  started: "开始", cleared: "结束", ongoing: "持续中", worstClass: "最差类别", failing: "超标指标",
  maxKm: "上溯距离（km）", tributaries: "含支流", distanceKm: "距离（km）", score: "嫌疑度", latestTest: "最近快检",
  raiseTopTasks: "为选中的嫌疑排口派发溯源任务", raised: "已派发任务", select: "选择", rank: "排名",
  senSlope: "Sen 斜率（每年）", significant: "显著", notSignificant: "不显著", increasing: "上升", decreasing: "下降", noTrend: "无趋势",
  horizon: "预测时长", value: "值", band: "区间（10–90%）", exceedProb: "超标概率", backtest: "回测 MAE（预测 / 持续法）",
  createTaskHere: "在此处新建任务", pickOnMap: "在地图上点选排污口以新建任务", pickHint: "点击地图上的排污口；按 Esc 取消",
  NATIONAL: "国控", MUNICIPAL: "市控", DISTRICT: "区控", RIVER: "河流", LAKE: "湖库", RESERVOIR: "水库",
  ACTIVE: "运行", SUSPENDED: "暂停", CLOSED: "撤销", POLLUTION: "水质不达标", FAULT: "仪器故障", notAllowedRaise: "仅督办人员可派发任务",
  nearestDistrict: "（最近排污口所在区县）", previousYear: "上一年", nextYear: "下一年", suspectsNone: "范围内没有上游排污口",
  GENERAL: "照片", SAMPLE: "采样", BEFORE: "整改前", AFTER: "整改后",
};

const en: Record<string, string> = {
  app: "Outfall Watch", screenTitle: "Outfall Command Centre",
  map: "One map", tasks: "Task ledger", review: "Review", brief: "Brief & statistics", screen: "Big screen", signOut: "Sign out",
  signIn: "Sign in", username: "Username", password: "Password", signInFailed: "Sign-in failed",
  language: "中文", filters: "Filters", river: "River", district: "District", category: "Category", phase: "Phase",
  all: "All", openTask: "Open task", overdue: "Overdue", search: "Search code or name", colourBy: "Colour",
  byPhase: "By campaign phase", byExceedance: "By latest exceedance", byTask: "By open / overdue task",
  filtered: "Filtered", onScreen: "On screen", outfalls: "outfalls", loading: "Loading…", loaded: "Loaded",
  exportGeojson: "Export GeoJSON", exportCsv: "Export CSV", exportXlsx: "Export XLSX",
  SURVEYED: "Surveyed", MONITORED: "Monitored", TRACED: "Traced", REMEDIATED: "Remediated",
  INDUSTRIAL: "Industrial", URBAN_SEWAGE_PLANT: "Sewage plant", AGRICULTURAL: "Agricultural", OTHER: "Other",
  exceeded: "Latest exceeded", notExceeded: "Latest within limits", noInspection: "Not measured", noTask: "No open task",
  hasOpenTask: "Open task", hasOverdue: "Overdue task",
  profile: "Outfall profile", code: "Code", name: "Name", waterClass: "Water class", remediation: "Remediation",
  status: "Status", responsibleUnit: "Responsible unit", signboard: "Signboard", yes: "yes", no: "no",
  timeline: "Phase timeline", inspections: "Inspections", readings: "Readings", limit: "Limit", photos: "Photos",
  createTask: "New task", title: "Title", kind: "Kind", deadline: "Deadline", description: "Description", save: "Save", cancel: "Cancel",
  created: "Created", task: "Task", outfall: "Outfall", countdown: "Left", overdueBy: "Overdue by",
  history: "History", submittedAt: "Submitted", reviewer: "Reviewer", reason: "Reason", decision: "Decision",
  queue: "Waiting for review", oldestFirst: "oldest first", before: "Before", after: "After", checks: "Evidence checks",
  approve: "Approve", reject: "Reject", rejectReason: "Reason for rejection", reuseReason: "Reusable reasons",
  alreadyDecided: "Already decided by {who}: {decision}", decided: "Decided", noQueue: "Nothing waiting for review",
  shortcuts: "Keys: J/K next/previous · A approve · R reject · 1-9 reason · Z zoom",
  photoPositions: "Where photos were taken", site: "Outfall site",
  finding: "Finding photo", storedPhoto: "Stored photo #{id}", whatWasDone: "What was done to the stored photo: {edits}",
  reencoded: "re-encoded, re-lit or written on", photoTaken: "Where the photo was taken", apart: "{d} apart",
  checkEvidence: "Evidence for the check",
  date: "Date", print: "Print", tasksByDistrict: "Tasks by district", tasksByKind: "Tasks by kind", medianHours: "Median hours to close",
  exceedancesByParam: "Exceedances by parameter", overdueByDistrict: "Overdue by district", noOverdue: "No overdue tasks now", hideStats: "Hide", showStats: "Show statistics", waitingEvents: "Waiting for task events…", approved: "Approved", rejected: "Rejected",
  newTasks: "New tasks", exceedances: "Exceedances",
  openTasks: "Open tasks", overdueTasks: "Overdue", exceedancesToday: "Exceedances today", closedThisWeek: "Closed this week",
  liveFeed: "Live feed", connected: "Live", reconnecting: "Connection lost, reconnecting…",
  CREATED: "Created", STARTED: "Started", SUBMITTED: "Submitted", APPROVED: "Approved", REJECTED: "Rejected", OVERDUE: "Overdue", CANCELLED: "Cancelled",
  OPEN: "Open", IN_PROGRESS: "In progress",
  ILLEGAL_DISCHARGE: "Illegal discharge", EXCEEDANCE: "Exceedance", FLOATING_DEBRIS: "Floating debris", RIVERBANK_GARBAGE: "Riverbank garbage",
  SIGNBOARD: "Signboard", OUTFALL_REMEDIATION: "Outfall remediation",
  INFO: "Info", WARNING: "Warning", FAIL: "Fail",
  forbidden: "Not allowed", notFound: "Not found", error: "Something went wrong", retry: "Retry", none: "none",
  sort: "Sort", close: "Close", zoom: "Zoom", export: "Export", moreRows: "More", refresh: "Refresh",
  ledgerExportCsv: "Ledger CSV", ledgerExportXlsx: "Ledger XLSX", selectSubmission: "Select a submission",
  noTileServer: "Base map: project reference data (rivers, districts)",
  stations: "Stations", station: "Station", showStations: "Show stations", stationLegend: "Stations: latest day's class (red ring = off target)",
  offTarget: "Off target", meetsTarget: "Meets target", noData: "No data", targetClass: "Target class", level: "Level", waterBody: "Water body",
  riverKm: "River km", calendar: "Clear-water calendar", series: "Time series", trend: "Trend (seasonal Mann-Kendall)",
  forecast: "Forecast", episodes: "Off-target episodes", suspects: "Upstream suspects", parameter: "Parameter", year: "Year",
  started: "Started", cleared: "Cleared", ongoing: "ongoing", worstClass: "Worst class", failing: "Failing indicators",
  maxKm: "Upstream distance (km)", tributaries: "With tributaries", distanceKm: "Distance (km)", score: "Score", latestTest: "Latest rapid test",
  raiseTopTasks: "Raise tracing tasks for the selected suspects", raised: "Tasks raised", select: "Select", rank: "Rank",
  senSlope: "Sen's slope (per year)", significant: "significant", notSignificant: "not significant", increasing: "increasing", decreasing: "decreasing", noTrend: "no trend",
  horizon: "Horizon", value: "Value", band: "Band (10–90%)", exceedProb: "P(off target)", backtest: "Backtest MAE (forecast / persistence)",
  createTaskHere: "New task here", pickOnMap: "Pick an outfall on the map for a new task", pickHint: "Click an outfall on the map; Esc cancels",
  NATIONAL: "National", MUNICIPAL: "Municipal", DISTRICT: "District", RIVER: "River", LAKE: "Lake", RESERVOIR: "Reservoir",
  ACTIVE: "Active", SUSPENDED: "Suspended", CLOSED: "Closed", POLLUTION: "Off target", FAULT: "Instrument fault", notAllowedRaise: "Only supervisors raise tasks",
  nearestDistrict: "(the nearest outfall's district)", previousYear: "Previous year", nextYear: "Next year", suspectsNone: "No outfalls upstream within this distance",
  GENERAL: "Photo", SAMPLE: "Sample", BEFORE: "Before", AFTER: "After",
};

export function t(key: string, vars: Record<string, string | number> = {}): string {
  let s = (lang === "en" ? en[key] : undefined) ?? zh[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

/** Reference names in the current language (districts and rivers carry name and nameEn). */
export function nm(x: { name: string; nameEn?: string } | null | undefined): string {
  if (!x) return "";
  return lang === "en" && x.nameEn ? x.nameEn : x.name;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai", hour12: false });
}

/** More entries from a page module (kept beside it, so pages added by different people do not all edit
 *  the two dictionaries above). An existing key is not overwritten. */
export function addStrings(moreZh: Record<string, string>, moreEn: Record<string, string>) {
  for (const [k, v] of Object.entries(moreZh)) if (!(k in zh)) zh[k] = v;
  for (const [k, v] of Object.entries(moreEn)) if (!(k in en)) en[k] = v;
}
