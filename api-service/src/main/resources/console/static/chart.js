// A small SVG chart of one GPU type over the last day: GPUs in use (area), GPUs waited for
// (dashed line) and today's capacity (dotted line). No library: the console works air-gapped.

const NS = 'http://www.w3.org/2000/svg';
const W = 340;
const H = 130;
const PAD = { left: 30, right: 8, top: 8, bottom: 20 };

function svg(tag, attrs) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export function usageChart(series, history) {
  const points = series.inUse.length;
  const top = Math.max(1, series.totalGpus, ...series.inUse, ...series.waiting);
  const x = (i) => PAD.left + (i * (W - PAD.left - PAD.right)) / Math.max(1, points - 1);
  const y = (v) => H - PAD.bottom - (v * (H - PAD.top - PAD.bottom)) / top;
  const peak = Math.max(...series.inUse);
  const now = series.inUse[points - 1];
  const waitingNow = series.waiting[points - 1];
  const summary =
    `${series.gpuType}: ${now} of ${series.totalGpus} GPUs in use now, at most ${peak} ` +
    `in the last 24 hours; ${waitingNow} GPUs waited for now.`;

  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, width: '100%' });
  const title = svg('title', {});
  title.textContent = summary;
  chart.append(title);
  chart.append(svg('line', { class: 'axis', x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom }));
  chart.append(svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom }));
  if (series.totalGpus > 0) {
    chart.append(svg('line', { class: 'total', x1: PAD.left, y1: y(series.totalGpus), x2: W - PAD.right, y2: y(series.totalGpus) }));
  }
  let area = `M ${x(0)} ${y(0)}`;
  series.inUse.forEach((v, i) => (area += ` L ${x(i).toFixed(1)} ${y(v).toFixed(1)}`));
  area += ` L ${x(points - 1)} ${y(0)} Z`;
  chart.append(svg('path', { class: 'area', d: area }));
  const waiting = series.waiting.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  chart.append(svg('polyline', { class: 'waiting', points: waiting }));
  const labels = [
    [PAD.left - 4, y(top) + 4, 'end', String(top)],
    [PAD.left - 4, y(0), 'end', '0'],
    [PAD.left, H - 5, 'start', '24 h ago'],
    [W - PAD.right, H - 5, 'end', 'now'],
  ];
  for (const [lx, ly, anchor, text] of labels) {
    const t = svg('text', { x: lx, y: ly, 'text-anchor': anchor });
    t.textContent = text;
    chart.append(t);
  }
  return chart;
}
