//! `stylecut doctor`: version and tool availability.

pub fn run() -> anyhow::Result<()> {
    println!("stylecut {}", env!("CARGO_PKG_VERSION"));
    for bin in [
        stylecut_media::process::ffmpeg_bin(),
        stylecut_media::process::ffprobe_bin(),
    ] {
        match stylecut_media::process::tool_version(&bin) {
            Some(v) => println!("{bin}: {v}"),
            None => println!("{bin}: NOT FOUND (install ffmpeg)"),
        }
    }
    Ok(())
}
