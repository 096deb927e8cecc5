/**
 * The playground's stylesheet, added once to the document by the component that needs it (so the page
 * stays prose). Colours come from Framework's theme variables, so light and dark themes both work.
 */
const CSS = `
.pg { --pg-gap: 14px; --pg-muted: color-mix(in srgb, var(--theme-foreground) 80%, var(--theme-background)); font: 13px/1.35 var(--sans-serif); color: var(--theme-foreground); }
.pg .warning { max-width: none; }
.pg-app { display: flex; flex-direction: column; gap: 10px; }
.pg-top { display: flex; flex-direction: column; gap: 4px; }
.pg-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 18px; padding: 8px 10px;
  border: 1px solid var(--theme-foreground-faintest); border-radius: 8px; background: var(--theme-background-alt); }
.pg-buttons { display: flex; gap: 6px; }
.pg button { font: 600 13px var(--sans-serif); padding: 5px 12px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--theme-foreground-faint); background: var(--theme-background); color: var(--theme-foreground); }
.pg button:hover { border-color: var(--theme-foreground-focus); }
.pg button:disabled { opacity: 0.4; cursor: default; }
.pg button.pg-play { min-width: 88px; background: var(--theme-foreground); border-color: var(--theme-foreground); color: var(--theme-background); }
.pg button.pg-small { padding: 1px 8px; min-width: 26px; }
.pg-readout { font-variant-numeric: tabular-nums; min-width: 150px; color: var(--pg-muted); }
.pg-steps { font-weight: 600; color: var(--theme-foreground); }
.pg-status { margin: 0; font-size: 12px; color: var(--pg-muted); }
.pg-status .tfjs-engine-status { display: inline; margin: 0; }
.pg-replay-note { margin: 0; font-size: 12px; color: var(--pg-muted); font-style: italic; }
.pg-label { color: var(--pg-muted); margin-right: 6px; white-space: nowrap; }
.pg-range { display: flex; align-items: center; gap: 4px; }
.pg-range input[type=range] { width: 92px; accent-color: var(--theme-foreground-focus); }
.pg-value { font-variant-numeric: tabular-nums; min-width: 2.6em; white-space: nowrap; }
.pg-select { display: flex; align-items: center; }
.pg select, .pg input[type=number] { font: 13px var(--sans-serif); padding: 2px 4px; max-width: 9em;
  color: var(--theme-foreground); background: var(--theme-background); border: 1px solid var(--theme-foreground-faint); border-radius: 4px; }
.pg input[type=number] { width: 5.5em; }
.pg-grid { display: grid; grid-template-columns: minmax(170px, 190px) minmax(0, 1fr) minmax(200px, 290px); gap: var(--pg-gap); align-items: start; }
.pg fieldset { border: 1px solid var(--theme-foreground-faintest); border-radius: 8px; margin: 0 0 10px; padding: 6px 10px 8px;
  display: flex; flex-direction: column; gap: 6px; min-width: 0; }
.pg legend { font-weight: 600; padding: 0 4px; }
.pg-data-choices { display: grid; grid-template-columns: 1fr 1fr; gap: 4px; }
.pg-chip { display: flex; align-items: center; gap: 3px; white-space: nowrap; cursor: pointer; }
.pg-chip input { accent-color: var(--theme-foreground-focus); margin: 0; }
.pg-side .pg-range input[type=range] { width: 78px; flex: 1; }
.pg-layer-count { display: flex; align-items: center; gap: 6px; }
.pg-layer-count output { text-align: center; min-width: 1em; }
.pg-widths { display: flex; flex-direction: column; gap: 4px; }
.pg-maps { display: grid; grid-template-columns: 1fr 1fr; gap: var(--pg-gap); }
.pg figure { margin: 0; min-width: 0; }
.pg figcaption { font-weight: 600; margin-bottom: 4px; display: flex; align-items: center; gap: 6px; }
.pg-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; flex: none; }
.pg-boundary { position: relative; width: 100%; aspect-ratio: 1; border-radius: 6px; overflow: hidden;
  border: 1px solid var(--theme-foreground-faintest); }
.pg-boundary canvas, .pg-boundary svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.pg-boundary circle { stroke: var(--theme-background); stroke-width: 0.006; }
.pg-accuracy { margin: 4px 0 0; font-variant-numeric: tabular-nums; }
.pg-accuracy strong { font-size: 18px; }
.pg-full { color: var(--pg-muted); }
.pg-width { margin-top: 10px; padding: 8px 10px; border-radius: 8px; border: 2px solid var(--theme-foreground-focus);
  display: flex; flex-direction: column; gap: 4px; }
.pg-width-slider { font-weight: 600; font-size: 14px; flex-wrap: wrap; }
.pg-width-slider .pg-label { color: var(--theme-foreground); }
.pg-width-slider input[type=range] { flex: 1 1 120px; width: auto; min-width: 0; height: 22px; }
.pg-width-slider output { font-size: 16px; min-width: 3em; text-align: right; }
.pg-width-detail { color: var(--pg-muted); font-variant-numeric: tabular-nums; }
.pg-sampling { display: flex; flex-wrap: wrap; gap: 6px 16px; }
.pg-charts { display: flex; flex-direction: column; gap: 10px; }
.pg-chart { width: 100%; height: auto; display: block; overflow: visible; }
.pg-axis { font: 10px var(--sans-serif); color: var(--pg-muted); }
.pg-axis-label { font: 10px var(--sans-serif); fill: var(--pg-muted); text-anchor: middle; }
.pg-axis-label-y { text-anchor: start; }
.pg-range-band { fill: var(--theme-foreground-faintest); opacity: 0.7; }
.pg-chance, .pg-zero { stroke: var(--theme-foreground-faint); stroke-dasharray: 2 3; }
.pg-width-rule { stroke: var(--theme-foreground-focus); stroke-width: 1.5; }
.pg-mark { stroke: var(--theme-background); stroke-width: 1.5; }
.pg-quad-bar { fill: var(--pg-muted); }
.pg-weights { border-top: 1px solid var(--theme-foreground-faintest); padding-top: 8px; }
.pg-weights-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 18px; }
.pg-weights h3 { margin: 0; font-size: 14px; }
.pg-weights-pair { display: grid; grid-template-columns: 1fr 1fr; gap: var(--pg-gap); margin-top: 6px; }
.pg-roughness { font-weight: 400; color: var(--pg-muted); margin-left: 8px; font-variant-numeric: tabular-nums; }
.pg-caption { margin: 4px 0 0; max-width: none; font-size: 12px; color: var(--pg-muted); }
@media (max-width: 1100px) {
  .pg-grid { grid-template-columns: minmax(160px, 180px) minmax(0, 1fr); }
  .pg-charts { grid-column: 1 / -1; flex-direction: row; }
  .pg-charts figure { flex: 1; }
}
@media (max-width: 640px) {
  .pg-grid { grid-template-columns: minmax(0, 1fr); }
  .pg-side { order: 2; }
  .pg-charts { flex-direction: column; }
  .pg-weights-pair { grid-template-columns: 1fr; }
  .pg-toolbar { gap: 8px 12px; }
}
`;

export function ensurePlaygroundStyles(): void {
  if (document.getElementById("pg-styles")) return;
  const style = document.createElement("style");
  style.id = "pg-styles";
  style.textContent = CSS;
  document.head.append(style);
}
