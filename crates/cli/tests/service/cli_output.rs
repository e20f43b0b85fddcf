//! The printing commands end quietly when their reader goes away
//! (`stylecut doctor | head -1`): no panic, success.

use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_a_printing_command_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stylecut"))
        .arg("doctor")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stylecut doctor starts");
    // The reader goes away at once: at the latest the lines written after doctor has
    // run `ffmpeg -version` meet a closed pipe.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("stylecut doctor ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
