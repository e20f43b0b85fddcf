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
//!
//! The tries cost little CPU but, one after the other before the render, ≈ 0.1 s of wall
//! each with a core idle (0.2–0.3 s on the default benchmark job, session 21). So each
//! distinct seek is tried once, the tries of different seeks run at once
//! ([`clean_args`]: up to one per core, a start tried for one seek is not tried again for
//! another), and the render runs them beside the sound's measuring pass, which needs no
//! picture seek (`render`).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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

/// The seeks of `src`'s picture inputs in the ffmpeg arguments `args`, in order (what
/// [`rewrite`] would move).
pub fn picture_seeks(args: &[String], src: &str) -> Vec<f64> {
    let mut seen = Vec::new();
    let mut copy = args.to_vec();
    let _ = rewrite(&mut copy, src, |at| {
        seen.push(at);
        Ok::<_, ()>(at)
    });
    seen
}

/// The clean start ([`clean_start`] with `clean`) of each seek in `ats`, in order. Each
/// distinct seek is worked out once; different seeks are worked out at the same time on
/// up to `threads` threads, and a start tried for one is not tried again for another
/// (`clean` is called once per distinct start, unless two threads reach it together).
/// The first error (in `ats`' order) is returned.
pub fn clean_starts<E: Send>(
    ats: &[f64],
    threads: usize,
    clean: impl Fn(f64) -> Result<bool, E> + Sync,
) -> Result<Vec<f64>, E> {
    let mut distinct: Vec<f64> = Vec::new();
    for &a in ats {
        if !distinct.iter().any(|d| d.to_bits() == a.to_bits()) {
            distinct.push(a);
        }
    }
    let tried: Mutex<HashMap<u64, bool>> = Mutex::new(HashMap::new());
    let clean = &clean;
    let tried = &tried;
    let memo = move |s: f64| -> Result<bool, E> {
        if let Some(&c) = tried
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&s.to_bits())
        {
            return Ok(c);
        }
        let c = clean(s)?;
        tried
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(s.to_bits(), c);
        Ok(c)
    };
    let next = AtomicUsize::new(0);
    let workers = threads.clamp(1, distinct.len().max(1));
    let mut found: Vec<Option<Result<f64, E>>> = (0..distinct.len()).map(|_| None).collect();
    let done: Vec<Vec<(usize, Result<f64, E>)>> = std::thread::scope(|scope| {
        let work = || {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&at) = distinct.get(i) else {
                    return out;
                };
                out.push((i, clean_start(at, memo)));
            }
        };
        let others: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut all = vec![work()];
        for h in others {
            all.push(
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        all
    });
    for (i, r) in done.into_iter().flatten() {
        found[i] = Some(r);
    }
    let mut starts = HashMap::new();
    for (at, r) in distinct.iter().zip(found) {
        starts.insert(at.to_bits(), r.expect("every seek worked out")?);
    }
    Ok(ats.iter().map(|a| starts[&a.to_bits()]).collect())
}

/// The seeks of `src`'s picture inputs in every argument list of `lists` moved to where
/// `src` decodes cleanly (see the module's text), the tries of different seeks at once
/// (one thread per core).
pub fn clean_args(
    lists: &mut [&mut Vec<String>],
    src: &Path,
    opts: &RunOpts,
) -> Result<(), StyleError> {
    let name = src.display().to_string();
    let ats: Vec<f64> = lists.iter().flat_map(|a| picture_seeks(a, &name)).collect();
    if ats.is_empty() {
        return Ok(());
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let starts = clean_starts(&ats, threads, |s| decodes_cleanly(src, s, opts))?;
    let mut next = starts.into_iter();
    for a in lists.iter_mut() {
        rewrite(a, &name, |_| {
            Ok::<_, ()>(next.next().expect("one start per seek"))
        })
        .expect("no error");
    }
    Ok(())
}

/// `plan` with the seeks of its picture inputs (the one render command's, or every
/// chunk's) moved to where the source decodes cleanly (see the module's text).
pub fn clean_plan(plan: &EditPlan, opts: &RunOpts) -> Result<EditPlan, StyleError> {
    let mut plan = plan.clone();
    let mut lists: Vec<&mut Vec<String>> = vec![&mut plan.ffmpeg_args];
    if let Some(c) = plan.chunks.as_mut() {
        lists.extend(c.chunks.iter_mut().map(|k| &mut k.ffmpeg_args));
    }
    clean_args(&mut lists, &plan.source, opts)?;
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
    fn each_distinct_seek_and_start_is_tried_once_and_the_order_kept() {
        // Clean before 3.8 s only. 9.0 and 8.0 share the starts 8.0 and 7.0 (9 tries 9,
        // 8, 7, 5, 1; 8 tries 8, 7, 6, 4, 0), and 9.0 comes twice.
        let ats = [9.0, 2.0, 8.0, 9.0];
        let tried = Mutex::new(Vec::new());
        let starts = clean_starts(&ats, 1, |s| {
            tried.lock().unwrap().push(s);
            Ok::<_, ()>(s < 3.8)
        })
        .unwrap();
        assert_eq!(starts, vec![1.0, 2.0, 0.0, 1.0]);
        let mut t = tried.into_inner().unwrap();
        t.sort_by(f64::total_cmp);
        assert_eq!(t, vec![1.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        // On several threads: the same starts.
        for threads in [2, 3, 8] {
            let s = clean_starts(&ats, threads, |s| Ok::<_, ()>(s < 3.8)).unwrap();
            assert_eq!(s, vec![1.0, 2.0, 0.0, 1.0]);
        }
        // The first seek's error (in the seeks' order) is the one returned.
        let e = clean_starts(&[9.0, 2.0], 2, |s| if s < 3.0 { Err(s) } else { Ok(false) });
        assert_eq!(e, Err(1.0));
        assert_eq!(clean_starts(&[], 2, |_| Ok::<_, ()>(true)), Ok(vec![]));
    }

    #[test]
    fn the_seeks_listed_are_those_that_move() {
        let a = strings(&[
            "-ss",
            "9.000000",
            "-t",
            "2.500",
            "-an",
            "-i",
            "src.mp4",
            "-ss",
            "4.000",
            "-vn",
            "-i",
            "src.mp4",
            "-ss",
            "5.0",
            "-i",
            "other.mp4",
            "-ss",
            "12.5",
            "-i",
            "src.mp4",
            "-i",
            "src.mp4",
        ]);
        assert_eq!(picture_seeks(&a, "src.mp4"), vec![9.0, 12.5]);
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
