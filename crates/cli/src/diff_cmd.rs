//! `stylecut diff A.json B.json`: field-by-field differences between two StyleJSONs.
//! Numbers print both values and B − A; `detected_beats` compares counts and the mean
//! timing offset of matched beats instead of listing every entry.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde_json::Value;

/// Exit status when the two documents are the same (as diff(1)).
pub const EXIT_SAME: i32 = 0;
/// Exit status when they differ.
pub const EXIT_DIFFERENT: i32 = 1;
/// Exit status when a document could not be read (missing, not JSON, ...).
pub const EXIT_TROUBLE: i32 = 2;

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status (as diff(1)): 0 when the documents are the same, \
1 when they differ, 2 when one of them cannot be read."
)]
pub struct DiffArgs {
    /// First StyleJSON (or a job result holding one in `style_json`); the "before".
    pub a: PathBuf,
    /// Second StyleJSON (or job result); each line shows A -> B and B - A.
    pub b: PathBuf,
}

fn load(p: &PathBuf) -> anyhow::Result<Value> {
    crate::paths::input_file(p, "StyleJSON")?;
    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))?;
    // Accept a StyleJSON or a job result wrapping one.
    Ok(match v.get("style_json") {
        Some(s) if s.is_object() => s.clone(),
        _ => v,
    })
}

/// Differences as printable lines, by field name (then fields only B has).
pub fn diff_values(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", a, b, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match y.get(k) {
                    Some(vb) if k == "detected_beats" => beats(&p, va, vb, out),
                    Some(vb) => walk(&p, va, vb, out),
                    None => out.push(format!("{p}: {va} -> (missing)")),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    out.push(format!("{p}: (missing) -> {vb}"));
                }
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            if (x - y).abs() > 1e-9 {
                out.push(format!("{path}: {x} -> {y} ({:+.3})", y - x));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} -> {b}")),
        _ => {}
    }
}

fn beats(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    let times = |v: &Value| -> Vec<f64> {
        v.as_array()
            .map(|arr| {
                arr.iter()
                    .filter_map(|e| e.get("timestamp_ms")?.as_f64())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (ta, tb) = (times(a), times(b));
    if ta.len() != tb.len() {
        out.push(format!("{path}: {} beats -> {} beats", ta.len(), tb.len()));
    }
    if ta.is_empty() || tb.is_empty() {
        return;
    }
    let mean: f64 = ta
        .iter()
        .map(|t| {
            tb.iter()
                .map(|u| (u - t).abs())
                .fold(f64::INFINITY, f64::min)
        })
        .sum::<f64>()
        / ta.len() as f64;
    if mean > 0.5 {
        out.push(format!(
            "{path}: mean distance to the nearest beat {mean:.1} ms"
        ));
    }
}

/// Prints the differences; `true` when the documents are the same.
pub fn run(a: DiffArgs) -> anyhow::Result<bool> {
    let (va, vb) = (load(&a.a)?, load(&a.b)?);
    let lines = diff_values(&va, &vb);
    if lines.is_empty() {
        crate::output::line("identical")?;
    }
    for l in &lines {
        crate::output::line(l)?;
    }
    Ok(lines.is_empty())
}

/// The exit status of `stylecut diff`, as diff(1): [`EXIT_SAME`], [`EXIT_DIFFERENT`], or
/// [`EXIT_TROUBLE`] (after printing the error) when a document could not be read.
pub fn exit_status(r: anyhow::Result<bool>) -> i32 {
    match r {
        Ok(true) => EXIT_SAME,
        Ok(false) => EXIT_DIFFERENT,
        Err(e) => {
            eprintln!("Error: {e:#}");
            EXIT_TROUBLE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_changed_fields_only() {
        let a = json!({"color_grade": {"temperature": 10.0, "tint": 0.0}, "aspect_ratio": "16:9",
            "detected_beats": [{"timestamp_ms": 500}, {"timestamp_ms": 1000}], "tempo_bpm": null});
        let b = json!({"color_grade": {"temperature": 25.5, "tint": 0.0}, "aspect_ratio": "9:16",
            "detected_beats": [{"timestamp_ms": 510}], "tempo_bpm": 120.0});
        let d = diff_values(&a, &b);
        assert_eq!(
            d,
            vec![
                "aspect_ratio: \"16:9\" -> \"9:16\"",
                "color_grade.temperature: 10 -> 25.5 (+15.500)",
                "detected_beats: 2 beats -> 1 beats",
                "detected_beats: mean distance to the nearest beat 250.0 ms",
                "tempo_bpm: null -> 120.0",
            ]
        );
        assert!(diff_values(&a, &a).is_empty());
    }
}
