// Dashboard charts, drawn from the JSON data island #dashboard-data (the CSP forbids inline scripts).
// Every chart has its table next to it; the charts are a picture of the same numbers.
(function () {
  const charts = [];

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return;
    charts.push(new window.Chart(canvas, config));
  }

  // Beside the bars of a phone-wide chart a rule's or college's whole name leaves the bars no room, and Chart.js cuts
  // it off at the left edge: shortened there with an ellipsis (a CJK character counted as two Latin ones); the
  // tooltip and the table next to the chart have it whole.
  const NARROW = 520; // px of canvas
  function fitted(label, room) {
    let used = 0;
    for (let i = 0; i < label.length; i += 1) {
      used += label.charCodeAt(i) > 0x2e80 ? 2 : 1;
      if (used > room) return label.slice(0, i) + "…";
    }
    return label;
  }
  const names = {
    ticks: {
      autoSkip: false, // every rule and college named: the box is sized to fit them (`sized`)
      callback(value) {
        const label = String(this.getLabelForValue(value));
        return this.chart.width < NARROW ? fitted(label, 22) : label;
      },
    },
  };

  // A bar chart's box grows with its rows (rules or colleges), so that no label is skipped and a bar stays a bar
  // whether there are 3 rows or 25; the style sheet's height is the floor.
  function sized(id, rows, perRow) {
    const canvas = document.getElementById(id);
    if (canvas && canvas.parentElement) canvas.parentElement.style.height = Math.max(160, rows * perRow + 70) + "px";
  }

  function render() {
    while (charts.length) charts.pop().destroy();
    const island = document.getElementById("dashboard-data");
    if (!island) return;
    const data = JSON.parse(island.textContent);
    const percent = { min: 0, max: 100, ticks: { callback: (v) => v + "%" } };
    const common = { responsive: true, maintainAspectRatio: false, animation: false };
    const datasets = [{ label: data.rules.currentLabel, data: data.rules.current, backgroundColor: "#9b1c1c" }];
    if (data.rules.previousLabel) {
      datasets.push({ label: data.rules.previousLabel, data: data.rules.previous, backgroundColor: "#9aa5b1" });
    }
    sized("chart-rules", data.rules.labels.length, 12 * datasets.length + 10);
    draw("chart-rules", {
      type: "bar",
      data: { labels: data.rules.labels, datasets },
      options: { ...common, indexAxis: "y", scales: { x: percent, y: names } },
    });
    draw("chart-weeks", {
      type: "line",
      data: {
        labels: data.weeks.labels,
        datasets: [{ label: data.weeks.label, data: data.weeks.share, borderColor: "#1e7b34", spanGaps: true }],
      },
      options: { ...common, scales: { y: percent } },
    });
    sized("chart-colleges", data.colleges.labels.length, 36);
    draw("chart-colleges", {
      type: "bar",
      data: {
        labels: data.colleges.labels,
        datasets: [{ label: data.colleges.label, data: data.colleges.share, backgroundColor: "#1d4ed8" }],
      },
      options: { ...common, indexAxis: "y", scales: { x: percent, y: names } },
    });
  }

  document.addEventListener("DOMContentLoaded", render);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target && event.target.id === "dashboard-body") render();
  });
})();
