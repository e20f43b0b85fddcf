//! `stylecut doctor`: version, tool availability and the ffmpeg filters a render needs.

use crate::output::line;

pub fn run() -> anyhow::Result<()> {
    line(format_args!("stylecut {}", env!("CARGO_PKG_VERSION")))?;
    for bin in [
        stylecut_media::process::ffmpeg_bin(),
        stylecut_media::process::ffprobe_bin(),
    ] {
        match stylecut_media::process::tool_version(&bin) {
            Some(v) => line(format_args!("{bin}: {v}"))?,
            None => line(format_args!("{bin}: NOT FOUND (install ffmpeg)"))?,
        }
    }
    let ffmpeg = stylecut_media::process::ffmpeg_bin();
    match stylecut_media::process::missing_filters(
        &ffmpeg,
        stylecut_media::process::RENDER_FILTERS,
    ) {
        Some(m) if m.is_empty() => line(format_args!("{ffmpeg} filters: every render filter present"))?,
        Some(m) => line(format_args!(
            "{ffmpeg} filters: MISSING {} (renders that need them fail; Debian's ffmpeg has them all)",
            m.join(", ")
        ))?,
        None => {}
    }
    Ok(())
}
