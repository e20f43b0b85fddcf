//! Commands check their paths before any work: a missing input is named as missing (not
//! "ffprobe could not read the file"), and an output into a missing folder, or over an
//! input, fails at once, before the minutes of analysis an `apply` spends first.

use std::process::{Command, Output};

fn stylecut(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .expect("stylecut runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_missing_input_is_named_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("holiday.mp4");
    for cmd in ["analyze", "extract"] {
        let o = stylecut(&[cmd.as_ref(), missing.as_os_str()]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains("holiday.mp4: no such file"), "{cmd}: {e}");
    }
    let src = dir.path().join("src.mp4");
    std::fs::write(&src, b"not decoded: the check comes first").unwrap();
    let style = dir.path().join("style.json");
    let out = dir.path().join("out.mp4");
    let o = stylecut(&[
        "apply".as_ref(),
        "--style".as_ref(),
        style.as_os_str(),
        src.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("StyleJSON") && e.contains("style.json: no such file"),
        "{e}"
    );
    assert!(!out.exists());
}

#[test]
fn an_output_into_a_missing_folder_or_over_the_source_fails_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.mp4");
    std::fs::write(&src, b"the user's footage").unwrap();
    let style = dir.path().join("style.json");
    std::fs::write(&style, b"{}").unwrap();
    let into_missing = dir.path().join("renders").join("out.mp4");
    let o = stylecut(&[
        "apply".as_ref(),
        "--style".as_ref(),
        style.as_os_str(),
        src.as_os_str(),
        "-o".as_ref(),
        into_missing.as_os_str(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("renders") && e.contains("does not exist"), "{e}");

    // The source spelt another way: refused, and the source is untouched.
    let same = dir.path().join(".").join("src.mp4");
    let o = stylecut(&[
        "apply".as_ref(),
        "--style".as_ref(),
        style.as_os_str(),
        src.as_os_str(),
        "-o".as_ref(),
        same.as_os_str(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("is also an input"), "{e}");
    assert_eq!(std::fs::read(&src).unwrap(), b"the user's footage");
}
