//! Seeks of the render's picture inputs that decode cleanly.
//!
//! A picture input that does not start at the source's beginning is opened with `-ss`
//! before `-i`: ffmpeg starts decoding at the key frame the container marks before that
//! point (`graph::picture_inputs`, `chunks`). Some files mark frames as key frames that
//! are not clean starting points: `cockatoo.mp4` (`../shared/media`, an H.264 phone clip)
//! marks its non-IDR I frames at 3.8 and 7.25 s as sync samples, while the frames after
//! them still refer to frames before. Decoded from there, the picture is a green field
//! that heals block by block over seconds, and a chunked render of that file showed it
//! for its whole second half (session 20). Decoded from the file's start it is clean, as
//! the analysis reads it.
//!
//! So before a render each such input's seek is tried (`ffmpeg -v error`, the picture
//! only, [`CHECK_S`] from the key frame the seek lands on): when the decoder reports an
//! error, the seek
//! moves earlier (by 1, 2, 4, ... s) until one decodes cleanly, or to the file's start.
//! The input's `-t` grows by as much, so it still ends where it did; the graph's `trim`
//! (absolute times under `-copyts`) keeps the same frames. A seek that decodes cleanly,
//! the common case, is left alone. The check decodes [`CHECK_S`] from the key frame
//! (`-noaccurate_seek`: not the frames between it and the seek point), ≈ 0.1 s of CPU per
//! seeked input of a 1080p H.264 source (with the gap decoded as the render does, ≈ 1 s).

use std::path::Path;
use std::process::Command;

use stylecut_media::process::{ffmpeg_bin, run};
use stylecut_media::{MediaError, RunOpts};

use super::EditPlan;
use crate::StyleError;

/// Seconds of picture decoded from the key frame a seek lands on to see whether it
/// decodes cleanly: the frames that refer to missing ones follow the false key frame
/// closely (cockatoo.mp4: errors from its second frame on, at 3.8 and at 7.25 s).
pub const CHECK_S: f64 = 0.2;

/// Whether `src`'s picture decodes without an error reported by ffmpeg over [`CHECK_S`]
/// from the key frame a seek (`-ss` before the input) to `at_s` starts decoding at.
pub fn decodes_cleanly(src: &Path, at_s: f64, opts: &RunOpts) -> Result<bool, MediaError> {
    let mut cmd = Command::new(ffmpeg_bin());
    cmd.args(["-hide_banner", "-nostdin", "-nostats", "-v", "error"])
        .args(["-noaccurate_seek", "-ss", &format!("{at_s:.6}")])
        .args(["-an", "-sn", "-dn", "-i"])
        .arg(src)
        .args([
            "-map",
            "0:v:0",
            "-t",
            &format!("{CHECK_S}"),
            "-f",
            "null",
            "-",
        ]);
    let out = run(cmd, "ffmpeg", opts, |_| {})?;
    Ok(out.stderr_tail.trim().is_empty())
}

/// The latest start at or before `at_s` that `clean` accepts: `at_s` itself, then 1, 2,
/// 4, ... s earlier, and at last the file's start (0, never tried: the analysis decoded
/// the file from there).
pub fn clean_start<E>(at_s: f64, mut clean: impl FnMut(f64) -> Result<bool, E>) -> Result<f64, E> {
    let mut back = 0.0;
    loop {
        let s = at_s - back;
        if s <= 0.0 {
            return Ok(0.0);
        }
        if clean(s)? {
            return Ok(s);
        }
        back = if back == 0.0 { 1.0 } else { 2.0 * back };
    }
}

/// Moves the seek of every picture input of `src` in the ffmpeg arguments `args` to
/// `start(seek)` when that is earlier, growing the input's `-t` by the difference. An
/// input's options are the arguments between the previous input's file (or the start)
/// and its `-i`; an input with `-vn` (the sound) is left alone.
pub fn rewrite<E>(
    args: &mut [String],
    src: &str,
    mut start: impl FnMut(f64) -> Result<f64, E>,
) -> Result<(), E> {
    let mut from = 0;
    let mut i = 0;
    while i < args.len() {
        if args[i] != "-i" {
            i += 1;
            continue;
        }
        let opts = from..i;
        if args.get(i + 1).map(String::as_str) == Some(src)
            && !args[opts.clone()].iter().any(|a| a == "-vn")
        {
            let find = |args: &[String], flag: &str| {
                args[opts.clone()]
                    .iter()
                    .position(|a| a == flag)
                    .map(|k| from + k + 1)
                    .filter(|&k| k < i)
            };
            let t = find(args, "-t");
            if let Some(ss) = find(args, "-ss") {
                if let Ok(at) = args[ss].parse::<f64>() {
                    let s = start(at)?;
                    if s < at {
                        args[ss] = format!("{s:.6}");
                        if let Some(t) = t {
                            if let Ok(d) = args[t].parse::<f64>() {
                                args[t] = format!("{:.3}", d + (at - s));
                            }
                        }
                    }
                }
            }
        }
        i += 2;
        from = i;
    }
    Ok(())
}

/// `plan` with the seeks of its picture inputs (the one render command's, or every
/// chunk's) moved to where the source decodes cleanly (see the module's text).
pub fn clean_plan(plan: &EditPlan, opts: &RunOpts) -> Result<EditPlan, StyleError> {
    let mut plan = plan.clone();
    let src = plan.source.display().to_string();
    let mut start = |at: f64| {
        clean_start(at, |s| decodes_cleanly(&plan.source, s, opts)).map_err(StyleError::from)
    };
    let mut args = std::mem::take(&mut plan.ffmpeg_args);
    rewrite(&mut args, &src, &mut start)?;
    let mut chunk_args: Vec<Vec<String>> = plan
        .chunks
        .as_mut()
        .map(|c| {
            c.chunks
                .iter_mut()
                .map(|k| std::mem::take(&mut k.ffmpeg_args))
                .collect()
        })
        .unwrap_or_default();
    for a in &mut chunk_args {
        rewrite(a, &src, &mut start)?;
    }
    plan.ffmpeg_args = args;
    if let Some(c) = plan.chunks.as_mut() {
        for (k, a) in c.chunks.iter_mut().zip(chunk_args) {
            k.ffmpeg_args = a;
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_seek_moves_back_until_one_is_clean_or_to_the_start() {
        // Clean before 3.8 s only (cockatoo.mp4's first false key frame).
        let mut tried = Vec::new();
        let s = clean_start(9.0, |s| {
            tried.push(s);
            Ok::<_, ()>(s < 3.8)
        })
        .unwrap();
        assert_eq!(tried, vec![9.0, 8.0, 7.0, 5.0, 1.0]);
        assert_eq!(s, 1.0);
        assert_eq!(clean_start(2.5, |_| Ok::<_, ()>(false)).unwrap(), 0.0);
        assert_eq!(clean_start(6.0, |_| Ok::<_, ()>(true)).unwrap(), 6.0);
    }

    #[test]
    fn only_the_picture_inputs_of_the_source_move_and_keep_their_end() {
        let mut a = strings(&[
            "-copyts",
            "-start_at_zero",
            "-ss",
            "9.000000",
            "-t",
            "2.500",
            "-an",
            "-sn",
            "-dn",
            "-i",
            "src.mp4",
            "-ss",
            "4.000",
            "-t",
            "1.000",
            "-vn",
            "-i",
            "src.mp4",
            "-ss",
            "5.0",
            "-i",
            "other.mp4",
            "-t",
            "12.000",
            "-vn",
            "-i",
            "src.mp4",
            "-map",
            "[v]",
        ]);
        rewrite(&mut a, "src.mp4", |at| Ok::<_, ()>(at - 8.0)).unwrap();
        assert_eq!(a[3], "1.000000");
        assert_eq!(a[5], "10.500");
        // The sound's input and another file are untouched.
        assert_eq!(a[12], "4.000");
        assert_eq!(a[14], "1.000");
        assert_eq!(a[19], "5.0");
        assert_eq!(a[23], "12.000");
        // A seek that is clean as it is stays as written.
        let mut b = strings(&["-ss", "3.000", "-t", "2.000", "-i", "src.mp4"]);
        rewrite(&mut b, "src.mp4", Ok::<_, ()>).unwrap();
        assert_eq!(
            b,
            strings(&["-ss", "3.000", "-t", "2.000", "-i", "src.mp4"])
        );
    }
}
