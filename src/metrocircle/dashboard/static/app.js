// metrocircle dashboard: a run folder on a MapLibre map, sliders that re-run its delineation.
// Every text that comes from data is set with textContent (never parsed as HTML): a unit named
// "<script>" is shown as text. The page fetches from its own origin only.
import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';

const STATUS_COLOURS = { core: '#b2182b', member: '#ef8a62', outside: '#e6e6e6' };
const PALETTE = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d',
  '#1f78b4', '#b15928', '#6a3d9a', '#33a02c', '#fb9a99'];
const NONE = '#f2f2f2';
const BAND_COLOURS = ['#084594', '#2171b5', '#4292c6', '#6baed6', '#9ecae1', '#c6dbef', '#eff3ff'];

const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
};
const fmt = (v) => {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'number') return Math.abs(v) >= 1000 ? v.toLocaleString('en', { maximumFractionDigits: 1 }) : String(+v.toPrecision(4));
  return String(v);
};

const state = {
  meta: null, units: null, current: null, values: {}, seq: 0, controller: null, selected: null,
  timings: [], ready: false, statusColours: {}, areaIndex: {},
};
window.mcDashboard = state;

async function getJSON(url, options) {
  const res = await fetch(url, options);
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function statusColours(statuses, unplaced) {
  const out = {};
  let i = 0;
  for (const s of statuses) {
    out[s] = STATUS_COLOURS[s] || (unplaced.includes(s) ? STATUS_COLOURS.outside : PALETTE[i++ % PALETTE.length]);
  }
  return out;
}

// travel-time bands ("0-30", "30-45", ..., ">90") in the order of their first number
const bandKey = (b) => { const m = String(b).match(/[0-9.]+/); return m ? Number(m[0]) + (String(b).startsWith('>') ? 0.5 : 0) : Infinity; };
const byBand = (a, b) => bandKey(a) - bandKey(b) || a.localeCompare(b);

function categories(prop) {
  const seen = new Set();
  for (const f of state.units.features) {
    const v = f.properties[prop];
    if (v !== undefined && v !== null && v !== '') seen.add(String(v));
  }
  return [...seen].sort(prop === 'band' ? byBand : (a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

// the bands of the isochrone layer and of the units, nearest first, each with its colour
function bandColours() {
  const seen = new Set(categories('band'));
  for (const f of state.bands.features) if (f.properties.band) seen.add(String(f.properties.band));
  const bands = [...seen].sort(byBand);
  return bands.map((b, i) => [b, BAND_COLOURS[Math.min(i, BAND_COLOURS.length - 1)]]);
}

function matchExpr(getter, cats, colours) {
  if (!cats.length) return NONE;
  const e = ['match', getter];
  cats.forEach((c, i) => e.push(c, colours[i]));
  e.push(NONE);
  return e;
}

// the fill colour and the legend of each colouring
function colouring(mode) {
  const m = state.meta;
  if (mode === 'status') {
    const cats = m.statuses;
    return { expr: matchExpr(['feature-state', 'status'], cats, cats.map((s) => state.statusColours[s])),
      legend: cats.map((s) => [s, state.statusColours[s], state.current ? (state.current.counts[s] || 0) : '']) };
  }
  if (mode === 'area') {
    const e = ['case', ['<', ['coalesce', ['feature-state', 'area_n'], -1], 0], STATUS_COLOURS.outside,
      ['to-color', ['at', ['%', ['feature-state', 'area_n'], PALETTE.length], ['literal', PALETTE]]]];
    const n = Object.keys(state.areaIndex).length;
    return { expr: e, legend: [[`${n} area(s), colours repeat`, PALETTE[0], ''], ['in no area', STATUS_COLOURS.outside, '']] };
  }
  if (mode === 'membership') {
    return { expr: ['case', ['has', 'membership'], ['interpolate', ['linear'], ['get', 'membership'],
      0, '#f7fbff', 0.25, '#c6dbef', 0.5, '#6baed6', 0.75, '#2171b5', 1, '#08306b'], NONE],
      legend: [['0', '#f7fbff', ''], ['0.5', '#6baed6', ''], ['1', '#08306b', ''],
        [`share of fused links to ${m.main_area}`, null, '']] };
  }
  const prop = mode;
  const cats = categories(prop);
  const bandOf = Object.fromEntries(bandColours());
  const colours = prop === 'band' ? cats.map((c) => bandOf[c])
    : cats.map((c, i) => PALETTE[i % PALETTE.length]);
  return { expr: matchExpr(['get', prop], cats, colours), legend: cats.map((c, i) => [c, colours[i], '']) };
}

function drawLegend(items) {
  const ul = $('legend');
  ul.replaceChildren();
  for (const [label, colour, n] of items) {
    const li = el('li');
    if (colour) { const sw = el('span', null, 'swatch'); sw.style.background = colour; li.append(sw); }
    li.append(el('span', n === '' ? label : `${label} (${n})`));
    ul.append(li);
  }
}

function recolour() {
  const mode = $('colour').value;
  const c = colouring(mode);
  state.map.setPaintProperty('units-fill', 'fill-color', c.expr);
  const legend = [...c.legend];
  if ($('show-bands').checked && mode !== 'band') {
    legend.push([`isochrone bands (minutes to ${state.meta.main_area})`, null, '']);
    for (const [b, colour] of bandColours()) legend.push([b, colour, '']);
  }
  drawLegend(legend);
}

// the units whose status or area differ from the run's, by name, with both places
function listChanged(data) {
  const ul = $('changed');
  ul.replaceChildren();
  const run = state.meta.run;
  const place = (status, area) => (area ? `${status} (${area})` : status);
  const items = data.changed.map((i) => [run.name[i], i]);
  items.sort((a, b) => a[0].localeCompare(b[0]));
  for (const [name, i] of items) {
    const li = el('li');
    const b = el('button', name, 'link');
    b.type = 'button';
    b.addEventListener('click', () => showUnit(i));
    li.append(b, el('span', `: ${place(run.status[i], run.area_id[i])} → `
      + `${place(data.columns.status[i], data.columns.area_id[i])}`));
    ul.append(li);
  }
  $('changed-section').hidden = !items.length;
  $('changed-count').textContent = String(items.length);
}

// -- the delineation state -----------------------------------------------------------------
function applyDelineation(data) {
  const map = state.map;
  const cols = data.columns;
  const changed = new Set(data.changed);
  for (let i = 0; i < cols.status.length; i++) {
    const area = cols.area_id[i];
    if (area && !(area in state.areaIndex)) state.areaIndex[area] = Object.keys(state.areaIndex).length;
    map.setFeatureState({ source: 'units', id: i }, {
      status: cols.status[i], area_n: area ? state.areaIndex[area] : -1, changed: changed.has(i),
    });
  }
  state.current = data;
  recolour();
  listChanged(data);
  if (state.selected !== null) showUnit(state.selected);
}

function query() {
  const q = new URLSearchParams();
  for (const s of state.meta.sliders) {
    const v = state.values[s.name];
    q.set(s.name, v === null ? 'none' : String(v));
  }
  return q;
}

async function redelineate() {
  const seq = ++state.seq;
  if (state.controller) state.controller.abort();
  state.controller = new AbortController();
  const q = query();
  $('export').href = `/api/export?${q}`;
  const t0 = performance.now();
  let data;
  try {
    data = await getJSON(`/api/delineation?${q}`, { signal: state.controller.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    $('error').hidden = false;
    $('error').textContent = err.message;
    return;
  }
  if (seq !== state.seq) return;
  $('error').hidden = true;
  const t1 = performance.now();
  const idle = new Promise((resolve) => state.map.once('idle', resolve));
  applyDelineation(data);
  state.map.triggerRepaint();
  await idle;
  const t2 = performance.now();
  const timing = { params: data.params, response_ms: t1 - t0, recoloured_ms: t2 - t0,
    server_ms: data.server_ms, method_ms: data.seconds * 1000, changed: data.changed.length, seq };
  state.timings.push(timing);
  const moved = Object.keys(data.changed_params).length;
  $('timing').textContent = `Re-delineated and recoloured in ${Math.round(timing.recoloured_ms)} ms `
    + `(server ${Math.round(timing.server_ms)} ms). ${data.changed.length} unit(s) differ from the run`
    + (moved ? '.' : ' (the run\'s values).');
}

// -- sliders ---------------------------------------------------------------------------------
function decimals(step) { const s = String(step); return s.includes('.') ? s.split('.')[1].length : 0; }

function buildSliders() {
  const box = $('sliders');
  box.replaceChildren();
  for (const s of state.meta.sliders) {
    state.values[s.name] = s.value;
    const div = el('div', null, 'slider');
    const label = el('label');
    const name = el('span', s.name);
    name.title = s.doc;
    const out = el('output', s.value === null ? 'unset' : fmt(s.value));
    out.id = `out-${s.name}`;
    label.append(name, out);
    const input = el('input');
    Object.assign(input, { type: 'range', min: s.min, max: s.max, step: s.step,
      value: s.value === null ? s.start : s.value, id: `slider-${s.name}` });
    input.setAttribute('aria-label', s.name);
    const set = el('input');
    const read = () => {
      const v = set.checked ? Number(Number(input.value).toFixed(decimals(s.step))) : null;
      state.values[s.name] = v;
      out.textContent = v === null ? 'unset' : fmt(v);
      out.classList.toggle('changed', v !== s.value);
      input.disabled = !set.checked;
    };
    input.addEventListener('input', () => { read(); redelineate(); });
    div.append(label, input);
    set.type = 'checkbox';
    set.checked = s.value !== null;
    set.id = `set-${s.name}`;
    if (s.optional) {
      // an optional parameter can be left unset (the method's own rule, e.g. natural breaks)
      const row = el('label', null, 'row small');
      set.addEventListener('change', () => { read(); redelineate(); });
      row.append(set, el('span', 'fixed value (unset: the method decides)'));
      div.append(row);
      input.disabled = !set.checked;
    }
    div.append(el('div', s.doc, 'small muted'));
    box.append(div);
  }
}

// -- the explanation of a unit ---------------------------------------------------------------
function showUnit(i) {
  state.selected = i;
  const f = state.units.features.find((x) => x.id === i);
  const box = $('unit');
  box.replaceChildren();
  if (!f || !state.current) return;
  $('unit-card').hidden = false;
  const p = f.properties;
  const c = state.current.columns;
  box.append(el('p', p.name, 'name'), el('p', p.unit_id, 'small muted'));
  const table = el('table');
  const rows = [['status', c.status[i]], ['area', c.area_id[i]], ['rule', c.rule[i]],
    ['value', c.value[i]], ['threshold', c.threshold[i]], ['margin', c.margin[i]]];
  if (p.minutes !== undefined) rows.push(['minutes to the core', p.minutes], ['band', p.band]);
  if (p.role !== undefined) rows.push(['role', p.role], ['role reason', p.role_reason]);
  if (p.group !== undefined) rows.push(['city group', p.group]);
  if (p.membership !== undefined) rows.push(['membership degree', p.membership]);
  for (const [k, v] of rows) {
    const tr = el('tr');
    const td = el('td', fmt(v));
    td.dataset.field = k;
    tr.append(el('th', k), td);
    table.append(tr);
  }
  box.append(table);
  if (p.role !== undefined && Object.keys(state.current.changed_params).length) {
    box.append(el('p', 'The role is the one the run classified, with the run\'s delineation; '
      + 'run the exported project for roles under these thresholds.', 'small muted'));
  }
}

// -- overlays --------------------------------------------------------------------------------
async function showFlows() {
  const on = $('show-flows').checked;
  const layer = $('flow-layer').value;
  if (on && layer) {
    const data = await getJSON(`/api/flows.geojson?layer=${encodeURIComponent(layer)}`);
    state.map.getSource('flows').setData(data);
    const lab = data.label || {};
    $('flow-label').textContent = `${layer}: ${lab.kind || ''} ${lab.source ? `(${lab.source})` : ''} – ${data.features.length} strongest links. ${lab.note || ''}`;
  } else {
    $('flow-label').textContent = '';
  }
  state.map.setLayoutProperty('flows', 'visibility', on ? 'visible' : 'none');
}

function showBands() {
  state.map.setLayoutProperty('bands', 'visibility', $('show-bands').checked ? 'visible' : 'none');
  recolour();
}

// -- start -------------------------------------------------------------------------------------
async function main() {
  const [meta, units, bands] = await Promise.all([getJSON('/api/meta'),
    getJSON('/api/units.geojson'), getJSON('/api/bands.geojson')]);
  state.meta = meta;
  state.units = units;
  state.bands = bands;
  state.statusColours = statusColours(meta.statuses, meta.unplaced_statuses);
  $('title').textContent = meta.project.title || meta.project.name || 'metrocircle';
  $('subtitle').textContent = `${meta.run_dir} · ${meta.units} units (${meta.drawn} drawn)`;
  $('method').textContent = meta.method;
  document.title = `${meta.project.name || 'metrocircle'} – metrocircle dashboard`;
  const notes = [...meta.notes];
  for (const lab of meta.delineation_layers) {
    notes.unshift(`The delineation reads the layer ${lab.layer} (${lab.kind}, ${lab.source}): ${lab.note}`);
  }
  if (notes.length) {
    $('notes-section').hidden = false;
    for (const n of notes) $('notes').append(el('li', n));
  }
  const modes = [['status', 'status'], ['area', 'area']];
  const has = (prop) => units.features.some((f) => f.properties[prop] !== undefined);
  if (has('role')) modes.push(['role', 'role (as run)']);
  if (has('group')) modes.push(['group', 'city group']);
  if (has('membership')) modes.push(['membership', 'membership degree']);
  if (has('band')) modes.push(['band', 'travel-time band']);
  for (const [v, t] of modes) { const o = el('option', t); o.value = v; $('colour').append(o); }
  for (const name of Object.keys(meta.layers)) {
    const o = el('option', `${name} (${meta.layers[name].source || '?'})`); o.value = name;
    $('flow-layer').append(o);
  }
  if (!Object.keys(meta.layers).length) $('show-flows').disabled = true;
  buildSliders();

  const map = new maplibregl.Map({
    container: 'map',
    style: {
      version: 8,
      sources: {
        units: { type: 'geojson', data: units },
        bands: { type: 'geojson', data: bands },
        flows: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#f7f5f0' } },
        { id: 'units-fill', type: 'fill', source: 'units', paint: { 'fill-color': NONE, 'fill-opacity': 1 } },
        { id: 'bands', type: 'fill', source: 'bands', layout: { visibility: 'none' },
          paint: { 'fill-color': bandColours().length ? ['match', ['get', 'band'], ...bandColours().flat(), NONE] : NONE,
            'fill-opacity': 0.45 } },
        { id: 'units-line', type: 'line', source: 'units', paint: {
          'line-color': ['case', ['boolean', ['feature-state', 'changed'], false], '#000000', '#ffffff'],
          'line-width': ['case', ['boolean', ['feature-state', 'changed'], false], 2.5, 0.6] } },
        { id: 'flows', type: 'line', source: 'flows', layout: { visibility: 'none', 'line-cap': 'round' },
          paint: { 'line-color': '#3b3b98', 'line-opacity': 0.7,
            'line-width': ['interpolate', ['linear'], ['get', 'weight'], 0, 0.5, 1, 8] } },
      ],
    },
    bounds: meta.bbox,
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
    fadeDuration: 0,
  });
  state.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  await new Promise((resolve) => map.on('load', resolve));
  map.on('click', 'units-fill', (e) => { if (e.features.length) showUnit(e.features[0].id); });
  map.on('mouseenter', 'units-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'units-fill', () => { map.getCanvas().style.cursor = ''; });
  $('colour').addEventListener('change', recolour);
  $('unit-close').addEventListener('click', () => { $('unit-card').hidden = true; state.selected = null; });
  $('show-flows').addEventListener('change', showFlows);
  $('flow-layer').addEventListener('change', showFlows);
  $('show-bands').addEventListener('change', showBands);
  $('reset').addEventListener('click', () => {
    for (const s of meta.sliders) {
      state.values[s.name] = s.value;
      $(`slider-${s.name}`).value = s.value === null ? s.start : s.value;
      $(`slider-${s.name}`).disabled = s.value === null;
      if ($(`set-${s.name}`)) $(`set-${s.name}`).checked = s.value !== null;
      $(`out-${s.name}`).textContent = s.value === null ? 'unset' : fmt(s.value);
      $(`out-${s.name}`).classList.remove('changed');
    }
    redelineate();
  });
  await redelineate();
  state.ready = true;
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  $('error').hidden = false;
  $('error').textContent = `The dashboard could not start: ${err.message}`;
});
