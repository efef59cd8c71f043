// ECharts, loaded only by the pages that chart (it is the largest dependency).
import { useEffect, useRef } from "preact/hooks";

let echartsP: Promise<typeof import("echarts")> | null = null;
// A failed fetch (the server restarting, a dropped link on the wall screen) must not stick: the
// rejected promise is forgotten so the next attempt fetches the module again.
const echarts = () => (echartsP ??= import("echarts").catch((e) => { echartsP = null; throw e; }));

export function Chart({ option, height = 260, label }: { option: any; height?: number; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<any>(null);
  useEffect(() => {
    let live = true;
    let retry: number | undefined;
    const draw = () => echarts().then((e) => {
      if (!live || !el.current) return;
      chart.current ??= e.init(el.current, undefined, { renderer: "canvas" });
      chart.current.setOption({ animation: false, ...option }, true);
    }).catch(() => { if (live) retry = window.setTimeout(draw, 5000); });  // unattended: try again
    draw();
    return () => { live = false; window.clearTimeout(retry); };
  }, [JSON.stringify(option)]);
  useEffect(() => () => chart.current?.dispose(), []);
  return <div ref={el} class="chart" style={{ height: `${height}px` }} role="img" aria-label={label} />;
}

export function barOption(rows: { label: string; count: number }[], opts: { dark?: boolean; horizontal?: boolean; color?: string } = {}) {
  const fg = opts.dark ? "#dce6f0" : "#1b2733";
  const cat = { type: "category", data: rows.map((r) => r.label), axisLabel: { color: fg, interval: 0, rotate: opts.horizontal ? 0 : 30 } };
  const val = { type: "value", axisLabel: { color: fg }, minInterval: 1, splitLine: { lineStyle: { color: opts.dark ? "#24384d" : "#e3e8ec" } } };
  return {
    grid: { left: opts.horizontal ? 90 : 40, right: 16, top: 12, bottom: opts.horizontal ? 24 : 64 },
    tooltip: { trigger: "axis" },
    xAxis: opts.horizontal ? val : cat,
    yAxis: opts.horizontal ? { ...cat, inverse: true } : val,
    series: [{ type: "bar", data: rows.map((r) => r.count), itemStyle: { color: opts.color ?? "#2c7fb8" },
               label: { show: true, position: opts.horizontal ? "right" : "top", color: fg } }],
  };
}
