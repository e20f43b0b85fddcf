//! `stylecut diff` exits as diff(1) does: 0 when the documents are the same, 1 when they
//! differ, 2 when one cannot be read; `--help` says so.

use std::process::Command;

fn diff(a: &std::path::Path, b: &std::path::Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .arg("diff")
        .arg(a)
        .arg(b)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("stylecut diff runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn diff_exits_zero_same_one_different_two_trouble() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let bad = dir.path().join("bad.json");
    std::fs::write(&a, r#"{"tempo_bpm": 120, "aspect_ratio": "16:9"}"#).unwrap();
    std::fs::write(&b, r#"{"tempo_bpm": 90, "aspect_ratio": "16:9"}"#).unwrap();
    std::fs::write(&bad, "{not json").unwrap();

    let (code, out, err) = diff(&a, &a);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out.trim(), "identical");

    let (code, out, err) = diff(&a, &b);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("tempo_bpm: 120 -> 90"), "{out}");

    let (code, out, err) = diff(&a, &dir.path().join("missing.json"));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("missing.json"), "{err}");

    let (code, out, err) = diff(&bad, &a);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("bad.json"), "{err}");

    let help = Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .args(["diff", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("0 when the documents are the same")
            && help.contains("1 when they differ")
            && help.contains("2 when"),
        "{help}"
    );
}
