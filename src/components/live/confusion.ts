/** A confusion matrix (rows: true class, columns: predicted) as a shaded table with counts. */
export function ConfusionMatrix(confusion: ArrayLike<number>, classes: number): HTMLTableElement {
  const table = document.createElement("table");
  table.className = "live-confusion";
  table.dataset.testid = "live-confusion";
  table.createCaption().textContent = "Counts of test images by true class (rows) and predicted class (columns)";
  let max = 1;
  for (let i = 0; i < classes; i++)
    for (let j = 0; j < classes; j++) if (i !== j) max = Math.max(max, confusion[i * classes + j]);
  const head = table.createTHead().insertRow();
  head.insertCell().textContent = "true \\ predicted";
  for (let j = 0; j < classes; j++) head.insertCell().textContent = String(j);
  const body = table.createTBody();
  for (let i = 0; i < classes; i++) {
    const row = body.insertRow();
    row.insertCell().textContent = String(i);
    for (let j = 0; j < classes; j++) {
      const cell = row.insertCell();
      const n = confusion[i * classes + j];
      cell.textContent = String(n);
      // Diagonal in blue, errors in red with intensity relative to the largest error; at most 55% red so the
      // count keeps 4.5:1 contrast on both themes.
      cell.style.background =
        i === j ? "rgba(70,130,180,0.25)" : n > 0 ? `rgba(220,50,47,${(0.08 + (0.47 * n) / max).toFixed(2)})` : "";
    }
  }
  return table;
}
