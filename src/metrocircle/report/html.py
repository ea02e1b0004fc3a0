"""``report.html``: one self-contained page with a run's maps, charts and tables.

Everything is inline: the style, a short script (filtering the unit table), the figures as
PNG data (``data:`` URIs); the page names no external URL and loads nothing, so it opens
offline, from an e-mail or a USB stick. It reads on paper (print styles: no navigation, no
figure or table row cut across pages) and on a phone (one column, wide tables scroll).

Every text that comes from data (unit names, codes, notes, parameters) is escaped: a unit
named ``<script>`` shows as that text.

Examples
--------
>>> from metrocircle.report.html import esc
>>> esc("<script>alert(1)</script>")
'&lt;script&gt;alert(1)&lt;/script&gt;'
"""

from __future__ import annotations

import base64
import html
import json
import logging
import tomllib
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from metrocircle.report import palette as P
from metrocircle.report.figures import Drawn, source_text
from metrocircle.report.folder import RunFolder

log = logging.getLogger(__name__)


def esc(value: Any) -> str:
    """Text for HTML, with ``<``, ``>``, ``&`` and quotes escaped; missing values empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


def _num(v: Any, digits: int = 3) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        f = float(v)
        if f.is_integer() and abs(f) >= 1:
            return f"{f:,.0f}"
        if abs(f) >= 1000:
            return f"{f:,.0f}"
        return f"{f:.{digits}f}"
    return esc(v)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], *, cls: str = "",
           numeric: Sequence[int] = (), table_id: str | None = None) -> str:
    """An HTML table; cells are escaped (numbers formatted), ``numeric`` columns right-aligned."""
    num = set(numeric)
    head = "".join(f"<th{' class=num' if k in num else ''}>{esc(h)}</th>"
                   for k, h in enumerate(header))
    body = []
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            text = _num(v) if k in num else (v.html if isinstance(v, _Raw) else esc(v))
            cells.append(f"<td{' class=num' if k in num else ''}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{esc(table_id)}"' if table_id else ""
    return (f'<div class="scroll"><table{ident} class="{esc(cls)}"><thead><tr>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table></div>')


class _Raw:
    """Markup built here (already escaped), to put in a table cell as it is."""

    def __init__(self, markup: str) -> None:
        self.html = markup


def _badge(source: Any) -> _Raw:
    s = str(source or "unknown")
    color = P.SOURCE_COLORS.get(s, "#777777")
    return _Raw(f'<span class="badge" style="background:{color}">{esc(s)}</span>')


def _swatch(color: str, text: Any) -> _Raw:
    return _Raw(f'<span class="sw" style="background:{esc(color)}"></span>{esc(text)}')


CSS = """
:root{--ink:#1a1a1a;--muted:#555;--line:#d9d9d9;--bg:#fafafa;--accent:#b2182b}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
"Liberation Sans",Arial,sans-serif;color:var(--ink);background:#fff}
header.top{background:#1f2d3d;color:#fff;padding:1.2rem 1.5rem}
header.top h1{margin:0 0 .3rem;font-size:1.5rem;line-height:1.25}
header.top p{margin:.2rem 0;color:#dfe6ee;max-width:60rem}
header.top code{background:#34495e;color:#fff}
nav.toc{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);
padding:.4rem 1.5rem;font-size:.85rem;z-index:2;overflow-x:auto;white-space:nowrap}
nav.toc a{color:#1f2d3d;margin-right:1rem;text-decoration:none}
main{max-width:72rem;margin:0 auto;padding:0 1.5rem 3rem}
h2{margin-top:2.2rem;border-bottom:2px solid var(--accent);padding-bottom:.2rem;
font-size:1.3rem}
h3{font-size:1.05rem;margin-top:1.5rem}
.note{background:#fff8e1;border-left:4px solid #f0a500;padding:.6rem .9rem;margin:1rem 0}
.modelled{background:#fdf0e6;border-left:4px solid #b35806;padding:.6rem .9rem;margin:1rem 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.7rem;
margin:1rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;background:var(--bg)}
.card b{display:block;font-size:1.35rem}
.card span{color:var(--muted);font-size:.85rem}
figure{margin:1.5rem 0;page-break-inside:avoid;break-inside:avoid}
figure img{width:100%;height:auto;border:1px solid var(--line);background:#fff}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.3rem}
figcaption b{color:var(--ink)}
.scroll{overflow-x:auto;margin:.6rem 0}
table{border-collapse:collapse;font-size:.85rem;width:100%}
th,td{border-bottom:1px solid var(--line);padding:.25rem .45rem;text-align:left;
vertical-align:top}
th{background:#f0f2f5;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr{page-break-inside:avoid;break-inside:avoid}
.badge{color:#fff;border-radius:3px;padding:0 .35rem;font-size:.8rem;white-space:nowrap}
.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border:1px solid #999;
vertical-align:-.1rem}
input.filter{font:inherit;padding:.3rem .5rem;width:100%;max-width:24rem;
border:1px solid #999;border-radius:4px}
code{font-size:.85em;background:#f3f3f3;padding:0 .2rem;border-radius:3px}
footer{color:var(--muted);font-size:.8rem;border-top:1px solid var(--line);margin-top:3rem;
padding-top:.8rem}
@media (max-width:640px){
body{font-size:14px}
header.top,main{padding-left:.8rem;padding-right:.8rem}
nav.toc{padding:.4rem .8rem}
table{font-size:.78rem}
}
@media print{
@page{size:A4;margin:14mm 12mm}
body{font-size:10pt}
nav.toc,input.filter{display:none}
header.top{background:none;color:#000;border-bottom:2px solid #000;padding:0 0 .5rem}
header.top p{color:#000}
main{max-width:none;padding:0}
h2{page-break-after:avoid;break-after:avoid}
figure{page-break-inside:avoid}
figure img{max-height:22cm;object-fit:contain}
.scroll{overflow:visible}
th{position:static}
a{color:inherit;text-decoration:none}
}
"""

SCRIPT = """
document.querySelectorAll('input.filter').forEach(function(box){
  var table=document.getElementById(box.getAttribute('data-table'));
  if(!table){return;}
  box.addEventListener('input',function(){
    var q=box.value.toLowerCase();
    table.querySelectorAll('tbody tr').forEach(function(tr){
      tr.style.display=tr.textContent.toLowerCase().indexOf(q)>=0?'':'none';
    });
  });
});
"""


class _Page:
    def __init__(self, folder: RunFolder, drawn: Sequence[Drawn], notes: Sequence[str],
                 gpkg_layers: dict[str, int]) -> None:
        self.f = folder
        self.drawn = list(drawn)
        self.notes = list(notes)
        self.gpkg = gpkg_layers
        self.sections: list[tuple[str, str, str]] = []  # (id, title, html)

    def add(self, ident: str, title: str, body: str) -> None:
        if body:
            self.sections.append((ident, title, body))

    # -- the parts -------------------------------------------------------------------------
    def description(self) -> str:
        f = self.f.path / "project.toml"
        if not f.is_file():
            return ""
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ""
        return str((data.get("project") or {}).get("description") or "").strip()

    def glance(self) -> str:
        m = self.f.table("membership.csv")
        cards = []
        if m is not None:
            info = self.f.step_info("delineation")
            counts = m["status"].astype(str).value_counts()
            cards.append(("method", esc(info.get("method", "?"))))
            cards.append(("areas", _num(m["area_id"].dropna().nunique())))
            for status in P.status_colors(counts.index):
                cards.append((f"units {status}", _num(int(counts[status]))))
        a = self.f.table("areas.csv")
        if a is not None and len(a) <= 3:
            for row in a.to_dict("records"):
                for col, label in (("population", "people"), ("area_km2", "km²")):
                    if col in row and row[col] is not None and not pd.isna(row[col]):
                        cards.append((f"{label} in {row['area_id']}", _num(row[col])))
        cmp = self.f.step_info("delineation").get("comparison") or {}
        if cmp:
            ref = self._reference_name()
            for k, v in cmp.items():
                cards.append((f"{k.replace('reference', ref)}", _num(v)))
        if not cards:
            return ""
        items = "".join(f'<div class="card"><b>{v}</b><span>{esc(k)}</span></div>'
                        for k, v in cards)
        return f'<div class="cards">{items}</div>'

    def _reference_name(self) -> str:
        ref = ((self.f.record.get("parameters") or {}).get("inputs") or {}).get("reference")
        if isinstance(ref, dict) and ref.get("name"):
            return str(ref["name"])
        return "the reference"

    def provenance(self) -> str:
        layers = self.f.layers
        modelled = [n for n, lab in layers.items() if lab.get("source") == "modelled"]
        out = []
        if modelled:
            out.append(
                '<p class="modelled"><b>Modelled data.</b> The layer(s) '
                + ", ".join(f"<code>{esc(n)}</code>" for n in modelled)
                + " were built by a model, not observed: every figure, map and table that uses "
                "them shows what the method does with such flows, not what people or firms "
                "did. Each caption names its data and whether they are real or modelled.</p>")
        if layers:
            out.append("<h3>Flow layers</h3>")
            out.append(_table(["layer", "kind", "source", "how it was made"],
                              [[n, lab.get("kind"), _badge(lab.get("source")), lab.get("note")]
                               for n, lab in layers.items()]))
        ins = self.f.input_notes()
        if ins:
            out.append("<h3>Inputs</h3>")
            out.append(_table(["input", "source", "what it is"],
                              [[i["input"], _badge(i["source"]), i["note"]] for i in ins]))
        sup = self.f.record.get("signaling_suppression")
        if sup:
            out.append(
                f"<p>Signaling: the published <code>signaling/od.csv</code> leaves out "
                f"{_num(sup.get('pairs_suppressed'))} of {_num(sup.get('pairs'))} home-to-work "
                f"pairs with fewer than {_num(sup.get('min_count'))} sampled commuters; "
                f"{esc(sup.get('analysis', ''))}.</p>")
        return "".join(out)

    def figures(self, kind: str) -> str:
        out = []
        for d in self.drawn:
            if d.kind != kind:
                continue
            data = base64.b64encode(d.png.read_bytes()).decode("ascii")
            files = ", ".join(f"<code>maps/{esc(p.name)}</code>" for p in d.files)
            out.append(
                f'<figure id="fig-{esc(d.name)}"><img alt="{esc(d.title)}" '
                f'src="data:image/png;base64,{data}"><figcaption><b>{esc(d.title)}.</b> '
                f"{esc(d.caption)} Files: {files}.</figcaption></figure>")
        return "".join(out)

    def explanation(self) -> str:
        m = self.f.table("membership.csv")
        if m is None:
            return ""
        r = self.f.table("roles.csv")
        roles = (r.set_index("unit_id")[["role", "reason"]] if r is not None
                 else pd.DataFrame(columns=["role", "reason"]))
        minutes = self.f.minutes_to_core
        colors = P.status_colors(m["status"].astype(str))
        rows = []
        order = m.assign(_s=m["status"].map({s: k for k, s in enumerate(colors)}))
        order = order.sort_values(["_s", "unit_id"])
        for row in order.to_dict("records"):
            uid = row["unit_id"]
            role = roles["role"].get(uid) if uid in roles.index else None
            reason = roles["reason"].get(uid) if uid in roles.index else None
            rows.append([uid, self.f.names.get(uid, ""), row.get("area_id"),
                         _swatch(colors.get(str(row["status"]), "#fff"), row["status"]),
                         row.get("rule"), row.get("value"), row.get("threshold"),
                         row.get("margin"),
                         None if minutes is None else minutes.get(uid),
                         role, reason])
        header = ["code", "name", "area", "status", "rule", "value", "threshold", "margin",
                  "minutes to core", "role", "why this role"]
        return (
            "<p>Every unit, the rule that admitted or rejected it, the value it tested, the "
            "threshold and the margin (value − threshold; negative: the shortfall), and its "
            "role with the reason (units of the classified area). Type to filter.</p>"
            '<input class="filter" type="search" data-table="units-table" '
            'placeholder="filter: a name, a code, a status, a rule" aria-label="filter">'
            + _table(header, rows, numeric=[5, 6, 7, 8], table_id="units-table"))

    def roles(self) -> str:
        r = self.f.table("roles.csv")
        if r is None:
            return ""
        counts = r["role"].astype(str).value_counts()
        colors = P.role_colors(counts.index)
        rows = [[_swatch(colors[k], k), int(v)] for k, v in counts.items()]
        info = self.f.step_info("roles")
        layers = info.get("layers") or {}
        srcs = "; ".join(esc(source_text(lab)) for lab in layers.values()
                         if isinstance(lab, dict))
        return (f"<p>The {esc(info.get('units', len(r)))} units of "
                f"<code>{esc(info.get('area', ''))}</code> classified by the rules of the "
                f"roles step, on {srcs}. Each unit's reason is in the table above; every "
                "condition with its value, threshold and margin is in "
                "<code>structure/conditions.csv</code>.</p>"
                + _table(["role", "units"], rows, numeric=[1]))

    def indicators(self) -> str:
        t = self.f.table("indicators.csv")
        if t is None:
            return ""
        if len(t) > 12:
            return (f"<p>{len(t)} areas: see <code>indicators.csv</code>.</p>")
        spec = [("units", "units", "n"), ("core_units", "core units", "n"),
                ("population", "population", "n"), ("area_km2", "land area, km²", "n"),
                ("urbanisation_rate", "urbanisation", "pct"),
                ("urbanisation_gap", "urbanisation gap, core − rest (points)", "f"),
                ("gdp", "GDP (units with data)", "n"), ("gdp_units", "units with GDP", "n"),
                ("other_province_share", "residents from other provinces", "pct"),
                ("employed_residents", "employed residents", "n"), ("jobs", "jobs", "n"),
                ("supply_self_containment", "self-containment (residents)", "pct"),
                ("demand_self_containment", "self-containment (jobs)", "pct"),
                ("flow_openness", "commuting openness", "pct")]
        header = ["indicator"] + [f"{a} ({g})" for a, g in zip(t["area_id"], t["grouping"],
                                                               strict=True)]
        rows = []
        for col, label, kind in spec:
            if col not in t.columns or t[col].isna().all():
                continue
            vals = []
            for v in t[col]:
                if v is None or pd.isna(v):
                    vals.append("")
                elif kind == "pct":
                    vals.append(f"{100 * float(v):.1f} %")
                elif kind == "f":
                    vals.append(f"{float(v):.1f}")
                else:
                    vals.append(f"{float(v):,.0f}")
            rows.append([label, *vals])
        lab = self.f.step_info("indicators").get("layer")
        note = (f"<p>Commuting figures use {esc(source_text(lab))}. GDP is summed over the "
                "units that have it, never imputed.</p>" if lab else "")
        return _table(header, rows, numeric=list(range(1, len(header)))) + note

    def comparison(self) -> str:
        c = self.f.table("delineation/comparison.csv")
        if c is None:
            return ""
        ref = self._reference_name()
        out = [f"<p>The delineation against {esc(ref)}, unit by unit "
               "(<code>delineation/comparison.csv</code>).</p>"]
        rows = []
        for label in ("both", "delineation only", "reference only", "different area",
                      "outside both"):
            ids = c.loc[c["agreement"] == label, "unit_id"].tolist()
            if not ids:
                continue
            names = ", ".join(self.f.name(u) for u in ids[:60])
            more = f" … and {len(ids) - 60} more" if len(ids) > 60 else ""
            rows.append([_swatch(P.AGREEMENT_COLORS.get(label, "#fff"),
                                 label.replace("reference", ref)), len(ids), names + more])
        out.append(_table(["in", "units", "which"], rows, numeric=[1]))
        return "".join(out)

    def groups(self) -> str:
        g = self.f.table("groups/groups.csv")
        m = self.f.table("groups/membership.csv")
        if g is None or m is None:
            return ""
        info = self.f.step_info("groups")
        lab = info.get("layer") or {}
        members = m.groupby(m["group"].astype(str))["unit_id"].apply(list)
        rows = []
        for row in g.to_dict("records"):
            ids = members.get(str(row["group"]), [])
            rows.append([row["group"], row.get("n_units"), row.get("population"),
                         row.get("self_containment_supply_share"),
                         ", ".join(self.f.name(u) for u in ids[:40])
                         + (" …" if len(ids) > 40 else "")])
        return (f"<p>{esc(info.get('method', ''))} on {esc(source_text(lab))}; modularity "
                f"{_num(info.get('modularity'))}.</p>"
                + _table(["group", "units", "population", "self-containment", "units in it"],
                         rows, numeric=[1, 2, 3]))

    def industry(self) -> str:
        s = self.f.table("industry/specialisations.csv")
        if s is None:
            return ""
        p = self.f.step_parameters("industry")
        by = s.sort_values("lq", ascending=False).groupby("industry")["unit_id"].apply(list)
        rows = [[ind.replace("_", " ", 1), len(ids), ", ".join(self.f.name(u) for u in ids[:30])]
                for ind, ids in sorted(by.items(), key=lambda kv: -len(kv[1]))]
        return (f"<p>{esc(self.f.step_info('industry').get('measure', ''))}. A unit is "
                f"specialised at a location quotient above {_num(p.get('threshold'))} with at "
                f"least {_num(p.get('min_share'))} of its activity in the industry; "
                f"{len(s)} unit–industry pairs (<code>industry/specialisations.csv</code>).</p>"
                + _table(["industry", "units", "units (strongest first)"], rows, numeric=[1]))

    def method(self) -> str:
        out = []
        info = self.f.step_info("delineation")
        if info:
            method = str(info.get("method", ""))
            doc, params_doc = _method_doc(method)
            out.append(f"<h3>Delineation: <code>{esc(method)}</code></h3>")
            if doc:
                out.append(f"<p>{esc(doc)}</p>")
            given = (self.f.step_parameters("delineation").get("params") or {})
            rows = [[k, _value(v), "given" if k in given else "default", params_doc.get(k, "")]
                    for k, v in (info.get("params") or {}).items()]
            out.append(_table(["parameter", "value", "from", "meaning"], rows))
        for step in self.f.steps:
            if step == "delineation":
                continue
            params = self.f.step_parameters(step)
            if not params or not isinstance(params, dict):
                continue
            docs = _step_docs(step)
            rows = [[k, _value(v), docs.get(k, "")] for k, v in _flatten(params)]
            out.append(f"<h3>{esc(step)}</h3>")
            out.append(_table(["parameter", "value", "meaning"], rows))
        return "".join(out)

    def steps(self) -> str:
        rows = [[name, s.get("status"), s.get("seconds_when_run")]
                for name, s in self.f.steps.items()]
        versions = self.f.record.get("versions") or {}
        inputs = self.f.record.get("inputs") or {}
        out = [_table(["step", "ran or from the cache", "seconds when run"], rows,
                      numeric=[2])]
        if versions:
            out.append("<h3>Versions</h3>")
            out.append(_table(["package", "version"], list(versions.items())))
        if inputs:
            out.append("<h3>Input files (SHA-256)</h3>")
            out.append(_table(["input", "file", "sha256"],
                              [[k, str(v.get("path", "")).rsplit("/", 1)[-1],
                                _Raw(f"<code>{esc(v.get('sha256', ''))}</code>")]
                               for k, v in inputs.items()]))
        out.append("<p>Every parameter, checksum and count is in <code>run.json</code>; "
                   "<code>project.toml</code> is the project as it ran: "
                   "<code>metrocircle run project.toml --out OTHER</code> runs it again.</p>")
        return "".join(out)

    def outputs(self) -> str:
        rows = [["report.html", "this page: open it in any browser (offline)"],
                ["maps/*.png, maps/*.svg", "every map and chart, for slides and print"]]
        if self.gpkg:
            layers = ", ".join(f"{k} ({v})" for k, v in self.gpkg.items())
            rows.append(["metrocircle.gpkg", f"open in QGIS (Layer > Add Layer > Add Vector "
                                             f"Layer): styled layers {layers}"])
        rows += [["membership.csv, roles.csv, areas.csv, indicators.csv",
                  "the tables, for a spreadsheet or a notebook (pandas.read_csv)"],
                 ["summary.md, run.json", "the run in words, and the full record"]]
        return _table(["file", "what it is and how to open it"], rows)

    # -- the page --------------------------------------------------------------------------
    def render(self) -> str:
        title = self.f.title
        desc = self.description()
        self.add("glance", "At a glance", self.glance())
        self.add("data", "Real and modelled data", self.provenance())
        notes = "".join(f'<p class="note">{esc(n)}</p>' for n in self.notes)
        maps = self.figures("map")
        self.add("maps", "Maps", notes + maps if maps else notes)
        self.add("charts", "Charts", self.figures("chart"))
        self.add("units", "Every unit and why", self.explanation())
        self.add("roles", "Roles", self.roles())
        self.add("reference", "Against the reference", self.comparison())
        self.add("indicators", "Indicators", self.indicators())
        self.add("groups", "City groups", self.groups())
        self.add("industry", "Industry", self.industry())
        self.add("method", "Method and parameters", self.method())
        self.add("steps", "How this run was made", self.steps())
        self.add("files", "The files of this run", self.outputs())
        toc = "".join(f'<a href="#{esc(i)}">{esc(t)}</a>' for i, t, _ in self.sections)
        body = "".join(f'<section id="{esc(i)}"><h2>{esc(t)}</h2>{b}</section>'
                       for i, t, b in self.sections)
        proj = self.f.record.get("project") or {}
        made = (f"metrocircle {esc(self.f.record.get('metrocircle_version', ''))}, "
                f"{esc(self.f.record.get('created_utc', ''))}")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f'<header class="top"><h1>{esc(title)}</h1>'
            + (f"<p>{esc(desc)}</p>" if desc else "")
            + f"<p>Project <code>{esc(proj.get('name', ''))}</code>; report made by {made}."
            "</p></header>"
            f'<nav class="toc" aria-label="contents">{toc}</nav><main>{body}'
            f"<footer>This page is self-contained: it loads nothing from anywhere. Made by "
            f"{made} from the run folder's files.</footer></main>"
            f"<script>{SCRIPT}</script></body></html>\n"
        )


def _value(v: Any) -> str:
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return "" if v is None else str(v)


def _flatten(params: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for k, v in params.items():
        if isinstance(v, dict) and k in ("simulate", "params") and v:
            out += _flatten(v, f"{prefix}{k}.")
        else:
            out.append((f"{prefix}{k}", v))
    return out


def _method_doc(method: str) -> tuple[str, dict[str, str]]:
    try:
        from metrocircle.delineate import get_method

        cls = get_method(method)
    except Exception:  # an unknown method still gets its parameters listed
        return "", {}
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    spec = cls.param_spec() if callable(getattr(cls, "param_spec", None)) else cls.param_spec
    return doc, {k: getattr(p, "doc", "") for k, p in (spec or {}).items()}


def _step_docs(step: str) -> dict[str, str]:
    try:
        from metrocircle.project import spec
    except ImportError:
        return {}
    section = spec.STEPS.children.get(step) if hasattr(spec.STEPS, "children") else None
    if section is None:
        return {}
    out = {k.name: k.doc for k in section.keys}
    for child_name, child in section.children.items():
        out.update({f"{child_name}.{k.name}": k.doc for k in child.keys})
    return out


def report_html(
    folder: RunFolder,
    drawn: Sequence[Drawn],
    notes: Sequence[str] = (),
    *,
    gpkg_layers: dict[str, int] | None = None,
) -> str:
    """The self-contained HTML report of a run folder, with the figures ``drawn`` (from
    :func:`metrocircle.report.figures.draw_figures`) and ``notes`` on what was left out."""
    return _Page(folder, drawn, notes, gpkg_layers or {}).render()


__all__ = ["esc", "report_html"]
