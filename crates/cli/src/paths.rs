//! Checks of the paths a command is given, made before any work starts: an `apply` of a
//! long source analyses for minutes before it renders, so a typo in the output folder or a
//! missing template must fail at once, naming the path, not after the analysis (or, for a
//! missing input, as "ffprobe could not read the file").

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// `path` must name an existing regular file this process can open for reading. `what`
/// names the argument in the message ("source video", "StyleJSON", ...). `-` (stdin) is
/// accepted as is where a command reads stdin.
pub fn input_file(path: &Path, what: &str) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("{what} {}: no such file", path.display())
        }
        Err(e) => return Err(e).with_context(|| format!("{what} {}", path.display())),
    };
    if meta.is_dir() {
        bail!("{what} {}: is a directory, not a file", path.display());
    }
    std::fs::File::open(path).with_context(|| format!("{what} {}: cannot open", path.display()))?;
    Ok(())
}

/// `output` must be a file path whose folder exists and accepts new files, and must not
/// be one of `inputs` (rendering over the source would destroy it). Checked by creating
/// and removing a hidden probe file next to the output, which also catches read-only
/// folders and mounts; an existing output file is left alone (it is replaced only when
/// the render succeeds).
pub fn output_file(output: &Path, what: &str, inputs: &[&Path]) -> anyhow::Result<()> {
    if output.is_dir() {
        bail!(
            "{what} {}: is a directory; give a file name, e.g. {}",
            output.display(),
            output.join("out.mp4").display()
        );
    }
    for input in inputs {
        if stylecut_style::apply::same_file(input, output) {
            bail!(
                "{what} {} is also an input; choose another output path",
                output.display()
            );
        }
    }
    let dir = folder_of(output);
    if !dir.is_dir() {
        bail!(
            "{what} {}: the folder {} does not exist",
            output.display(),
            dir.display()
        );
    }
    let probe = dir.join(format!(".stylecut-write-check-{}", std::process::id()));
    std::fs::File::create(&probe).with_context(|| {
        format!(
            "{what} {}: cannot write into {}",
            output.display(),
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The folder a file path lands in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_input_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.mp4");
        let e = input_file(&missing, "source video")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope.mp4") && e.contains("no such file"), "{e}");
        let e = input_file(dir.path(), "source video")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a directory"), "{e}");
        let present = dir.path().join("a.mp4");
        std::fs::write(&present, b"x").unwrap();
        input_file(&present, "source video").unwrap();
        input_file(Path::new("-"), "analysis").unwrap();
    }

    #[test]
    fn an_output_must_land_in_an_existing_folder_and_spare_the_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.mp4");
        std::fs::write(&src, b"source").unwrap();
        // The same file spelt another way is still the source.
        let other_spelling = dir.path().join(".").join("src.mp4");
        let e = output_file(&other_spelling, "output", &[&src])
            .unwrap_err()
            .to_string();
        assert!(e.contains("is also an input"), "{e}");
        assert_eq!(std::fs::read(&src).unwrap(), b"source");

        let e = output_file(&dir.path().join("no/such/dir/out.mp4"), "output", &[&src])
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
        let e = output_file(dir.path(), "output", &[&src])
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a directory"), "{e}");

        let out = dir.path().join("out.mp4");
        output_file(&out, "output", &[&src]).unwrap();
        // Nothing is left behind by the check.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the source remains");
    }
}
