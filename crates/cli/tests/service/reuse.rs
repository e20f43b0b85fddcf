//! A video's analysis is measured once: later jobs on the same videos reuse it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

/// The style without its creation time.
fn measured(style: &Value) -> Value {
    let mut s = style.clone();
    if let Some(o) = s.as_object_mut() {
        o.remove("created_at");
    }
    s
}

/// Every file under `dir` whose name starts with `prefix`.
fn files_named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_named(&p, prefix));
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix))
        {
            out.push(p);
        }
    }
    out
}

/// A template applied to a second source is not measured again: after a first job, the
/// template's stored file is truncated to nothing, and a second job on it still completes,
/// with the same style. The source of the second job was analysed by the first, so that
/// job measures neither input; its render still reads the source.
#[tokio::test]
async fn a_second_job_on_the_same_videos_reuses_their_analyses() {
    let s = Server::start(&[]);
    let source = s.video(&bikes()).await;
    let template = s
        .video(&media("video/pyscenedetect/issue-134-rotate.mp4"))
        .await;
    let first = s
        .job(json!({"video_id": source, "template_video_id": template,
                    "config": {"mode": "extract_only"}}))
        .await;
    let done = s.wait_terminal(&first, Duration::from_secs(180)).await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    let style = measured(&done["style_json"]);
    assert!(style.is_object(), "{done}");

    let stored = files_named(&s.data, &template);
    assert_eq!(stored.len(), 1, "{stored:?}");
    std::fs::write(&stored[0], b"").expect("truncate the template's file");

    let second = s
        .job(json!({"video_id": source, "template_video_id": template,
                    "config": {"max_duration_seconds": 2}}))
        .await;
    let mut seen = Vec::new();
    let done = s
        .wait_job(&second, Duration::from_secs(180), &mut seen, |j| {
            matches!(
                j["status"].as_str(),
                Some("completed" | "failed" | "cancelled")
            )
        })
        .await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    assert_eq!(measured(&done["style_json"]), style);
    assert!(done["output_video_url"].is_string(), "{done}");
    // The stages still run in order, every analysis stage passed at its end.
    let stages: Vec<&Value> = seen.iter().map(|j| &j["current_stage"]).collect();
    let order = [
        "video_analysis",
        "audio_analysis",
        "motion_analysis",
        "style_extraction",
        "style_application",
        "rendering",
    ];
    let mut at = 0;
    for st in stages.iter().filter_map(|v| v.as_str()) {
        let k = order.iter().position(|o| *o == st).expect("known stage");
        assert!(k >= at, "stages out of order: {stages:?}");
        at = k;
    }

    // A third job with the template now unreadable and no stored analysis for a new
    // source: the source is measured, the template is not, so it still completes.
    let other = s
        .video(&media("video/pyscenedetect/issue-195-aspect-ratio.mp4"))
        .await;
    let third = s
        .job(json!({"video_id": other, "template_video_id": template,
                    "config": {"mode": "extract_only"}}))
        .await;
    let done = s.wait_terminal(&third, Duration::from_secs(180)).await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    assert_eq!(measured(&done["style_json"]), style);
}
