/**
 * The lab's latency chart, drawn with uPlot: the highest latency each technique saw in each half
 * second. Loaded by the lab page when a race starts, so no other page (and no idle lab) ships uPlot.
 * The table beside it is the accessible reading of the same measurements.
 */
import uPlot from 'uplot';

/** The width of one point on the time axis. */
export const BUCKET_MS = 500;
/** Points kept on screen: the last two minutes. */
const MAX_BUCKETS = 240;
/** One colour per technique, readable on light and dark backgrounds. */
const COLOURS = ['#d9480f', '#1c7ed6', '#2b8a3e', '#ae3ec9'];
const HEIGHT = 260;

export class LatencyChart {
  #host: HTMLElement;
  #plot: uPlot;
  #startedAt = 0;
  #firstBucket = 0;
  /** Per bucket: the time (s since start), then each technique's highest latency or null. */
  #columns: (number | null)[][];

  constructor(host: HTMLElement, labels: string[], timeLabel: string, latencyUnit: string) {
    this.#host = host;
    this.#columns = [[], ...labels.map(() => [])];
    const style = getComputedStyle(host);
    const ink = style.color || '#888';
    const grid = { stroke: 'rgba(128, 128, 128, 0.25)', width: 1 };
    this.#plot = new uPlot(
      {
        width: Math.max(280, host.clientWidth),
        height: HEIGHT,
        scales: { x: { time: false } },
        cursor: { show: false },
        legend: { show: true, live: false },
        axes: [
          { label: timeLabel, stroke: ink, grid, ticks: grid },
          // The unit rides on each tick, not in a label: uPlot turns an axis label on its side, and a
          // sideways 毫秒 is hard to read.
          { stroke: ink, grid, ticks: grid, size: 76, values: (_plot, splits) => splits.map((value) => `${value} ${latencyUnit}`) },
        ],
        series: [{}, ...labels.map((label, index) => ({ label, stroke: COLOURS[index] ?? ink, width: 2, spanGaps: true, points: { show: true, size: 4 } }))],
      },
      this.#columns as uPlot.AlignedData,
      host,
    );
    new ResizeObserver(() => this.#plot.setSize({ width: Math.max(280, host.clientWidth), height: HEIGHT })).observe(host);
  }

  /** Empties the chart for a race that started at `startedAt` (ms). */
  reset(startedAt: number): void {
    this.#startedAt = startedAt;
    this.#firstBucket = 0;
    for (const column of this.#columns) column.length = 0;
    this.#plot.setData(this.#columns as uPlot.AlignedData);
  }

  /** Records a delivery to series `index` at `at` (ms) with this latency. */
  add(index: number, at: number, latencyMs: number): void {
    this.#extendTo(at);
    const position = Math.floor((at - this.#startedAt) / BUCKET_MS) - this.#firstBucket;
    const column = this.#columns[index + 1];
    if (!column || position < 0 || position >= column.length) return;
    column[position] = Math.max(column[position] ?? 0, latencyMs);
  }

  /** Redraws, with the time axis up to `now`. */
  render(now: number): void {
    this.#extendTo(now);
    this.#plot.setData(this.#columns as uPlot.AlignedData);
    this.#host.dataset.points = String(this.#columns[0]?.length ?? 0);
  }

  #extendTo(at: number): void {
    const last = Math.floor((at - this.#startedAt) / BUCKET_MS);
    const times = this.#columns[0] as (number | null)[];
    while (this.#firstBucket + times.length <= last) {
      times.push(((this.#firstBucket + times.length) * BUCKET_MS) / 1000);
      for (const column of this.#columns.slice(1)) column.push(null);
    }
    while (times.length > MAX_BUCKETS) {
      for (const column of this.#columns) column.shift();
      this.#firstBucket += 1;
    }
  }
}
