//! The documented quickstart: upload, create, poll, result, download (with Range).

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn quickstart_upload_create_poll_result_download() {
    let s = Server::start(&[]);
    let (st, up) = s.upload(&bikes(), &[]).await;
    assert_eq!(st, 200, "{up}");
    assert_eq!(up["success"], json!(true));
    assert_eq!(up["message"], json!("Video uploaded successfully"));
    let d = &up["data"];
    assert!(d["video_id"].as_str().unwrap().starts_with("vid_"));
    assert_eq!(d["filename"], json!("bikes.mp4"));
    assert_eq!(d["file_size_bytes"], json!(509868));
    assert!(d["uploaded_at"].as_str().unwrap().ends_with('Z'));
    let m = &d["metadata"];
    assert_eq!(
        (m["width"].as_u64(), m["height"].as_u64()),
        (Some(640), Some(272))
    );
    assert!(
        (m["duration_seconds"].as_f64().unwrap() - 10.0).abs() < 0.1,
        "{m}"
    );
    assert!(m["frame_rate"].as_f64().unwrap() > 1.0, "{m}");
    assert_eq!(m["codec"], json!("h264"));
    assert_eq!(m["format"], json!("mp4"));
    assert!(m["bitrate_kbps"].as_u64().unwrap() > 100, "{m}");
    let vid = d["video_id"].as_str().unwrap();

    let (st, created) = s
        .create_job(json!({"video_id": vid, "config": {"max_duration_seconds": 2}}))
        .await;
    assert_eq!(st, 200, "{created}");
    assert_eq!(created["message"], json!("Job created"));
    let j = &created["data"];
    assert_eq!(j["status"], json!("queued"));
    assert_eq!(j["progress_percent"], json!(0));
    assert_eq!(j["current_stage"], Value::Null);
    assert_eq!(j["created_at"], j["updated_at"]);
    assert_eq!(j["template_video_id"], Value::Null);
    let id = j["job_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("job_"));

    let mut seen = Vec::new();
    let done = s
        .wait_job(&id, Duration::from_secs(120), &mut seen, |j| {
            j["status"] != json!("queued") && j["status"] != json!("processing")
        })
        .await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    assert_eq!(done["progress_percent"], json!(100));
    assert_eq!(done["current_stage"], Value::Null);
    assert_eq!(done["error"], Value::Null);
    assert!(done["processing_time_seconds"].as_f64().unwrap() > 0.0);
    assert!(done["started_at"].is_string() && done["completed_at"].is_string());
    // Progress never decreases; a stage shows only while processing, in its range.
    let mut last = 0;
    for j in &seen {
        let p = j["progress_percent"].as_u64().unwrap();
        assert!(p >= last, "progress went back: {seen:?}");
        last = p;
        if j["status"] == json!("processing") {
            let st = j["current_stage"].as_str().expect("stage while processing");
            let (lo, hi) = match st {
                "video_analysis" => (1, 20),
                "audio_analysis" => (21, 35),
                "motion_analysis" => (36, 55),
                "style_extraction" => (56, 65),
                "style_application" => (66, 85),
                "rendering" => (86, 99),
                other => panic!("unknown stage {other}"),
            };
            assert!((lo..=hi).contains(&p), "{st} at {p}");
        } else {
            assert_eq!(j["current_stage"], Value::Null);
        }
        if p == 100 {
            assert_eq!(j["status"], json!("completed"));
        }
    }
    let url = done["output_video_url"].as_str().unwrap();
    assert_eq!(url, s.url(&format!("/api/v1/jobs/{id}/output")));

    let r = s.client.get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    let full = r.bytes().await.unwrap();
    assert!(full.len() > 1000);
    assert_eq!(&full[4..8], b"ftyp");
    // Range request: a browser <video> seeks with these.
    let r = s
        .client
        .get(url)
        .header("Range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(
        r.headers()["content-range"].to_str().unwrap(),
        format!("bytes 100-199/{}", full.len())
    );
    assert_eq!(r.bytes().await.unwrap(), full.slice(100..200));
    let r = s
        .client
        .get(url)
        .header("Range", format!("bytes={}-", full.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 416);

    // The output is a real H.264 video of the requested length.
    let out = s.data.join(format!("blobs/outputs/{id}.mp4"));
    let probe = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let dur: f64 = String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .unwrap();
    assert!((dur - 2.0).abs() < 0.3, "output duration {dur}");

    // The edit plan is exposed; list shows the job.
    let (st, plan) = s.get(&format!("/api/v1/jobs/{id}/plan")).await;
    assert_eq!(st, 200);
    assert!(plan["data"]["ffmpeg_args"].is_array(), "{plan}");
    let (st, list) = s.get("/api/v1/jobs").await;
    assert_eq!(st, 200);
    assert_eq!(list["data"]["jobs"][0]["job_id"], json!(id));
    assert_eq!(list["data"]["total"], json!(1));
    assert_eq!(staged_files(&s.data), 0);
}

#[tokio::test]
async fn extract_only_completes_without_output() {
    let s = Server::start(&[]);
    let vid = s.video(&bikes()).await;
    let id = s
        .job(json!({"video_id": vid, "config": {"mode": "extract_only"}}))
        .await;
    let done = s.wait_terminal(&id, Duration::from_secs(120)).await;
    assert_eq!(done["status"], json!("completed"), "{done}");
    assert_eq!(done["progress_percent"], json!(100));
    assert_eq!(done["output_video_url"], Value::Null);
    let (st, body) = s.get(&format!("/api/v1/jobs/{id}/output")).await;
    assert_error(st, &body, 404, "NOT_FOUND");
    // No plan is made for an extract-only job.
    let (_, plan) = s.get(&format!("/api/v1/jobs/{id}/plan")).await;
    assert_eq!(plan["data"], Value::Null);
}

#[tokio::test]
async fn display_geometry_honours_rotation_and_pixel_aspect() {
    let s = Server::start(&[]);
    let (st, v) = s
        .upload(&media("video/pyscenedetect/issue-134-rotate.mp4"), &[])
        .await;
    assert_eq!(st, 200, "{v}");
    let m = &v["data"]["metadata"];
    assert_eq!(
        (m["width"].as_u64(), m["height"].as_u64()),
        (Some(544), Some(1280)),
        "{m}"
    );
    let (st, v) = s
        .upload(
            &media("video/pyscenedetect/issue-195-aspect-ratio.mp4"),
            &[],
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let m = &v["data"]["metadata"];
    assert_eq!(
        (m["width"].as_u64(), m["height"].as_u64()),
        (Some(1024), Some(576)),
        "{m}"
    );
    let (st, v) = s
        .upload(&media("video/moviepy-bbb/big_buck_bunny_0_30.webm"), &[])
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["data"]["metadata"]["format"], json!("webm"));
    assert_eq!(v["data"]["metadata"]["codec"], json!("vp8"));
}
