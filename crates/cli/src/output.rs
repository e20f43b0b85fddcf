//! Standard output of the commands that print a result (`analyze`, `extract`, `plan`,
//! `diff`, `compare`, `doctor`). `println!` panics when the reader has gone away
//! (`stylecut analyze clip.mp4 | head`): here a closed pipe ends the command quietly and
//! successfully, since the reader asked for nothing more. Other write errors (a full
//! disk behind a redirection) are errors.

use std::io::Write;

/// Writes `text` and a newline to standard output.
pub fn line(text: impl std::fmt::Display) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        r => Ok(r?),
    }
}
