//! `sgaudit history`: the runs the store remembers, newest first, each with its counts and the metrics a
//! monthly audit tracks (unused groups, time to complete, false-positive rate) beside their change since the
//! previous comparable run. For the terminal, as JSON (a frozen document, `schema_version` 1) and as CSV; and
//! the trend section of the HTML report.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, ContentArrangement, Table};
use maud::{html, Markup};
use serde::Serialize;
use sgaudit_store::history::TrendRow;
use sgaudit_store::RunSummary;

use crate::printable;

/// The version of the JSON document of `sgaudit history --format json`.
pub const HISTORY_SCHEMA_VERSION: u32 = 1;

/// The counts every output of the history shows, in this order (a run may lack some: shown empty).
pub const COUNTS: &[(&str, &str)] = &[
    ("groups", "groups"),
    ("in_use", "in use"),
    ("unused", "unused"),
    ("unknown", "unknown"),
    ("risk_critical", "critical"),
    ("risk_high", "high"),
    ("findings", "findings"),
    ("findings_muted", "muted"),
    ("results_fail", "checks failed"),
    ("results_not_evaluated", "not evaluated"),
    ("false_positives", "false positives"),
];

/// One run: what the store recorded of it, and its line of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct RunLine<'a> {
    #[serde(flatten)]
    pub run: &'a RunSummary,
    pub trend: &'a TrendRow,
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    sgaudit_version: &'static str,
    runs: Vec<RunLine<'a>>,
}

/// Pairs each run with its trend row (by id; `trend` is `sgaudit_store::history::trend(runs)`).
pub fn lines<'a>(runs: &'a [RunSummary], trend: &'a [TrendRow]) -> Vec<RunLine<'a>> {
    runs.iter().filter_map(|run| Some(RunLine { run, trend: trend.iter().find(|t| t.run_id == run.id)? })).collect()
}

pub fn write_json(out: &mut impl Write, lines: &[RunLine]) -> std::io::Result<()> {
    let document = Document {
        schema_version: HISTORY_SCHEMA_VERSION,
        sgaudit_version: env!("CARGO_PKG_VERSION"),
        runs: lines.to_vec(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

/// One row per run, its columns fixed (documented in docs/store.md); cells neutralised as in the groups' CSV.
pub fn write_csv(out: &mut impl Write, lines: &[RunLine]) -> std::io::Result<()> {
    let mut header: Vec<String> =
        ["run_id", "kind", "started_at", "observed_at", "duration_ms", "caller_arn", "places", "places_complete"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    header.extend(COUNTS.iter().map(|(key, _)| key.to_string()));
    header.extend(["false_positive_rate", "compared_with", "unused_change", "duration_change_ms"].map(str::to_string));
    write_row(out, header.iter().map(String::as_str))?;
    for line in lines {
        let (run, trend) = (line.run, line.trend);
        let mut row: Vec<String> = vec![
            run.id.clone(),
            run.kind.id().to_string(),
            run.started_at.clone(),
            run.observed_at().to_string(),
            run.duration_ms.to_string(),
            run.caller_arn.clone().unwrap_or_default(),
            run.places.to_string(),
            run.places_complete.to_string(),
        ];
        row.extend(COUNTS.iter().map(|(key, _)| run.counts.get(*key).map(i64::to_string).unwrap_or_default()));
        row.push(trend.false_positive_rate.map(|r| format!("{r:.4}")).unwrap_or_default());
        row.push(trend.compared_with.clone().unwrap_or_default());
        row.push(trend.unused_change.map(|c| c.to_string()).unwrap_or_default());
        row.push(trend.duration_change_ms.map(|c| c.to_string()).unwrap_or_default());
        write_row(out, row.iter().map(String::as_str))?;
    }
    Ok(())
}

fn write_row<'a>(out: &mut impl Write, cells: impl Iterator<Item = &'a str>) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        crate::csv::write_cell(out, cell)?;
    }
    out.write_all(b"\r\n")
}

/// For the terminal: a row per run, each number with its change since the run it is compared with.
pub fn write_table(out: &mut impl Write, lines: &[RunLine], store: &str) -> std::io::Result<()> {
    if lines.is_empty() {
        return writeln!(out, "No runs recorded in {} yet: a scan records one.", printable(store));
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    let mut header =
        vec![Cell::new("run"), Cell::new("kind"), Cell::new("read at"), Cell::new("took"), Cell::new("coverage")];
    header.extend(["groups", "unused", "unknown", "critical", "findings", "muted", "false pos."].map(Cell::new));
    table.set_header(header);
    for line in lines {
        let (run, trend) = (line.run, line.trend);
        let count = |key: &str| -> String {
            let Some(value) = run.counts.get(key) else { return String::new() };
            match trend.count_changes.get(key) {
                Some(change) if *change != 0 => format!("{value} ({change:+})"),
                _ => value.to_string(),
            }
        };
        let took = match trend.duration_change_ms {
            Some(change) if change != 0 => format!("{} ({})", seconds(run.duration_ms), signed_seconds(change)),
            _ => seconds(run.duration_ms),
        };
        table.add_row(vec![
            Cell::new(printable(&run.id)),
            Cell::new(run.kind.id()),
            Cell::new(printable(run.observed_at())),
            Cell::new(took),
            Cell::new(format!("{}/{}", run.places_complete, run.places)),
            Cell::new(count("groups")),
            Cell::new(count("unused")),
            Cell::new(count("unknown")),
            Cell::new(count("risk_critical")),
            Cell::new(count("findings")),
            Cell::new(count("findings_muted")),
            Cell::new(trend.false_positive_rate.map(percent).unwrap_or_default()),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(
        out,
        "Changes in brackets are since the previous run of the same places and checks. Coverage: account-regions \
         read completely / looked at. False pos.: groups called unused that people marked in use (sgaudit mark)."
    )
}

fn seconds(ms: i64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

fn signed_seconds(ms: i64) -> String {
    format!("{:+.1}s", ms as f64 / 1000.0)
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// The HTML report's trend section: the counts of the last runs of the same places and checks as this one, as
/// a small line chart of unused, unknown and critical groups and a table of every count. `lines` newest first.
pub fn trend_section(lines: &[RunLine]) -> Markup {
    // (count, label, colour): the colours of the report's status and risk badges.
    let series: &[(&str, &str, &str)] =
        &[("unused", "unused", "#c2410c"), ("unknown", "unknown", "#7c3aed"), ("risk_critical", "critical", "#991b1b")];
    let oldest_first: Vec<&RunLine> = lines.iter().rev().collect();
    let max = oldest_first
        .iter()
        .flat_map(|l| series.iter().filter_map(|(key, _, _)| l.run.counts.get(*key).copied()))
        .max()
        .unwrap_or(0)
        .max(1);
    let (width, height, left, right, top, bottom) = (640.0_f64, 200.0_f64, 48.0_f64, 16.0_f64, 28.0_f64, 24.0_f64);
    let step = if oldest_first.len() > 1 { (width - left - right) / (oldest_first.len() - 1) as f64 } else { 0.0 };
    let point =
        |i: usize, v: i64| (left + step * i as f64, height - bottom - (height - top - bottom) * v as f64 / max as f64);
    html! {
        section #trend aria-labelledby="trend-h" {
            h2 #trend-h { "Trend" }
            p { "The last " (lines.len()) " runs over the same account-regions and checks, from the history ("
                code { "sgaudit history" } "). Changes are since the run before." }
            svg.trend role="img" aria-labelledby="trend-title" viewBox={"0 0 " (width) " " (height)} width=(width) height=(height) {
                title #trend-title { "Unused, unknown and critical groups per run, oldest first" }
                line x1=(left) y1=(height - bottom) x2=(width - right) y2=(height - bottom) stroke="#8c959f" {}
                line x1=(left) y1=(top) x2=(left) y2=(height - bottom) stroke="#8c959f" {}
                text x=(left - 6.0) y=(top + 4.0) font-size="11" text-anchor="end" { (max) }
                text x=(left - 6.0) y=(height - bottom + 4.0) font-size="11" text-anchor="end" { "0" }
                @for (n, (key, label, colour)) in series.iter().enumerate() {
                    @let points: Vec<(f64, f64)> = oldest_first.iter().enumerate()
                        .filter_map(|(i, l)| l.run.counts.get(*key).map(|v| point(i, *v))).collect();
                    polyline points=(points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" "))
                        fill="none" stroke=(colour) stroke-width="2" {}
                    @for (x, y) in &points { circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="3" fill=(colour) {} }
                    rect x=(left + 8.0 + 90.0 * n as f64) y="6" width="12" height="12" fill=(colour) {}
                    text x=(left + 24.0 + 90.0 * n as f64) y="16" font-size="12" { (label) }
                }
            }
            table.data.compact.trend {
                thead { tr {
                    th { "read at" } th.num { "took" }
                    @for (_, label) in COUNTS { th.num { (label) } }
                } }
                tbody {
                    @for line in lines {
                        tr {
                            td { (line.run.observed_at()) }
                            td.num { (seconds(line.run.duration_ms)) }
                            @for (key, _) in COUNTS {
                                td.num {
                                    @if let Some(v) = line.run.counts.get(*key) {
                                        (v)
                                        @if let Some(c) = line.trend.count_changes.get(*key).filter(|c| **c != 0) {
                                            " " small { "(" (format!("{c:+}")) ")" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use sgaudit_store::RunKind;

    fn run(id: &str, started: &str, unused: i64, critical: i64) -> RunSummary {
        RunSummary {
            id: id.to_string(),
            kind: RunKind::Scan,
            started_at: started.to_string(),
            finished_at: started.to_string(),
            duration_ms: 61_500,
            caller_arn: Some("=HYPERLINK(\"http://x\")".to_string()),
            sgaudit_version: "0.1.0".to_string(),
            from_snapshot: false,
            collected_at: None,
            families: vec!["groups".to_string()],
            security_hub_pushed: false,
            counts: BTreeMap::from([
                ("unused".to_string(), unused),
                ("risk_critical".to_string(), critical),
                ("false_positives".to_string(), 1),
            ]),
            places: 2,
            places_complete: 2,
            scope: "s".to_string(),
        }
    }

    fn runs() -> Vec<RunSummary> {
        vec![run("r2", "2026-12-01T00:00:00Z", 7, 1), run("r1", "2026-11-01T00:00:00Z", 4, 2)]
    }

    #[test]
    fn every_output_says_the_counts_and_their_change() {
        let runs = runs();
        let trend = sgaudit_store::history::trend(&runs);
        let lines = lines(&runs, &trend);
        assert_eq!(lines.len(), 2);

        let mut text = Vec::new();
        write_table(&mut text, &lines, "/tmp/h.sqlite3").unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("7 (+3)"), "{text}");
        assert!(text.contains("1 (-1)"), "{text}");
        // 1 of the 7 groups called unused was marked in use.
        assert!(text.contains("14.3%"), "{text}");

        let mut json = Vec::new();
        write_json(&mut json, &lines).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["runs"][0]["id"], "r2");
        assert_eq!(json["runs"][0]["trend"]["unused_change"], 3);
        assert_eq!(json["runs"][1]["trend"]["compared_with"], serde_json::Value::Null);

        let mut csv = Vec::new();
        write_csv(&mut csv, &lines).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("run_id,kind,started_at"), "{csv}");
        // An ARN that reads as a formula is neutralised.
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert_eq!(csv.lines().count(), 3);

        let html = trend_section(&lines).into_string();
        assert!(html.contains("<polyline"), "{html}");
        // Each line drawn in its own colour, with its legend.
        for (colour, label) in [("#c2410c", "unused"), ("#991b1b", "critical")] {
            assert!(html.contains(&format!("stroke=\"{colour}\"")), "{html}");
            assert!(html.contains(&format!(">{label}</text>")), "{html}");
        }
        if let Ok(path) = std::env::var("SGAUDIT_TREND_PAGE") {
            let page = format!("<!DOCTYPE html><html><body>{html}</body></html>");
            std::fs::write(path, page).unwrap();
        }
        assert!(html.contains("(+3)"), "{html}");
    }
}
