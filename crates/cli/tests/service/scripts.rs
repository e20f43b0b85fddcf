//! The README's scripts, run as a user runs them (with a stand-in `cargo` that reports
//! where and how it was called, so no build happens here).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `scripts/serve.sh --data-dir d` started from another directory: `d` is that
/// directory's, as the README's `./data` and `--data-dir DIR` say. (The script used to
/// `cd` into the repository first, so a relative data directory landed inside the
/// checkout.)
#[test]
fn serve_sh_reads_relative_paths_from_where_it_is_started() {
    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("cargo");
    std::fs::write(&fake, "#!/bin/sh\npwd -P\nprintf '%s\\n' \"$@\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("bash")
        .arg(repo().join("scripts/serve.sh"))
        .args(["--data-dir", "d"])
        .current_dir(cwd.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        Path::new(lines[0]),
        cwd.path().canonicalize().unwrap(),
        "{out}"
    );
    let manifest = repo().join("Cargo.toml");
    assert!(
        lines
            .windows(2)
            .any(|w| w[0] == "--manifest-path" && Path::new(w[1]) == manifest),
        "{out}"
    );
    assert_eq!(
        &lines[lines.len() - 3..],
        ["serve", "--data-dir", "d"],
        "{out}"
    );
}

/// The README's command-line lines name real subcommands and flags: each `stylecut SUB
/// … --flag` line's flags are in `stylecut SUB --help`.
#[test]
fn readme_command_lines_use_real_flags() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut checked = 0;
    for line in readme.lines() {
        let Some(cmd) = line.strip_prefix("    stylecut ") else {
            continue;
        };
        let cmd = cmd.split('#').next().unwrap();
        let mut words = cmd.split_whitespace();
        let sub = words.next().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_stylecut"))
            .args([sub, "--help"])
            .output()
            .unwrap();
        assert!(o.status.success(), "README: {line}");
        let help = String::from_utf8_lossy(&o.stdout);
        for w in words {
            let flag = w.trim_start_matches('[').trim_end_matches(']');
            if flag.starts_with('-') {
                assert!(
                    help.contains(&format!("{flag} ")) || help.contains(&format!("{flag},")),
                    "README: {line}\n`stylecut {sub}` has no {flag}:\n{help}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "README command lines found: {checked}");
}

/// A first user's localhost webhook is refused with a message naming
/// `WEBHOOK_ALLOW_PRIVATE=true`; the README's quickstart must say how to set it (it did
/// not: the user met the refusal with no word of it in the README).
#[test]
fn readme_says_how_to_allow_a_webhook_to_this_machine() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains("WEBHOOK_ALLOW_PRIVATE=true ./scripts/serve.sh"),
        "the README does not say how to allow a webhook to localhost"
    );
    assert!(readme.contains("\"webhook_url\":\"http://localhost:"));
}
