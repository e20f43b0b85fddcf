//! `stylecut doctor`: version, tool availability and the ffmpeg filters a render needs.

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
    let ffmpeg = stylecut_media::process::ffmpeg_bin();
    match stylecut_media::process::missing_filters(
        &ffmpeg,
        stylecut_media::process::RENDER_FILTERS,
    ) {
        Some(m) if m.is_empty() => println!("{ffmpeg} filters: every render filter present"),
        Some(m) => println!(
            "{ffmpeg} filters: MISSING {} (renders that need them fail; Debian's ffmpeg has them all)",
            m.join(", ")
        ),
        None => {}
    }
    Ok(())
}
