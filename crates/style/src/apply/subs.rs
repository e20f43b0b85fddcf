//! Subtitles: SubRip cues re-timed onto the edited output timeline, so burned-in text
//! stays with the words it belongs to after cuts, dropped dead air and transitions.
//! A cue that spans several segments appears in each of them for the overlapping part.

use super::edl::Segment;

/// One subtitle cue.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
}

fn parse_time(t: &str) -> Option<f64> {
    let t = t.trim().replace(',', ".");
    let mut parts = t.split(':');
    let h: f64 = parts.next()?.trim().parse().ok()?;
    let m: f64 = parts.next()?.trim().parse().ok()?;
    let s: f64 = parts.next()?.trim().parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// Parses SubRip text (tolerates CRLF, a BOM and missing indices).
pub fn parse_srt(text: &str) -> Vec<Cue> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let mut cues = Vec::new();
    for block in text.split("\n\n") {
        let mut lines = block.lines().filter(|l| !l.trim().is_empty()).peekable();
        if lines.peek().is_some_and(|l| !l.contains("-->")) {
            lines.next();
        }
        let Some(timing) = lines.next() else { continue };
        let Some((a, b)) = timing.split_once("-->") else {
            continue;
        };
        let b = b.split_whitespace().next().unwrap_or("");
        let (Some(a), Some(b)) = (parse_time(a), parse_time(b)) else {
            continue;
        };
        let body: Vec<&str> = lines.collect();
        if b > a && !body.is_empty() {
            cues.push(Cue {
                start_s: a,
                end_s: b,
                text: body.join("\n"),
            });
        }
    }
    cues
}

/// Maps cues from source time onto the output timeline of `segs`.
pub fn retime(cues: &[Cue], segs: &[Segment]) -> Vec<Cue> {
    let mut out = Vec::new();
    for seg in segs {
        for c in cues {
            let a = c.start_s.max(seg.src_in_s);
            let b = c.end_s.min(seg.src_out_s);
            if b - a > 0.05 {
                out.push(Cue {
                    start_s: seg.out_start_s + (a - seg.src_in_s),
                    end_s: seg.out_start_s + (b - seg.src_in_s),
                    text: c.text.clone(),
                });
            }
        }
    }
    out.sort_by(|x, y| x.start_s.total_cmp(&y.start_s));
    out
}

fn fmt_time(s: f64) -> String {
    let ms = (s.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02},{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// SubRip text of `cues`.
pub fn to_srt(cues: &[Cue]) -> String {
    let mut s = String::new();
    for (i, c) in cues.iter().enumerate() {
        s.push_str(&format!(
            "{}\n{} --> {}\n{}\n\n",
            i + 1,
            fmt_time(c.start_s),
            fmt_time(c.end_s),
            c.text
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::format::CropWindow;
    use crate::apply::motion::Motion;
    use crate::apply::pacing::Origin;

    fn seg(a: f64, b: f64, at: f64) -> Segment {
        Segment {
            src_in_s: a,
            src_out_s: b,
            video_in_s: a,
            video_out_s: b,
            frames: ((b - a) * 25.0) as u64,
            out_start_s: at,
            shot: 0,
            origin: Origin::Shot,
            crop: CropWindow::FULL,
            crop_path: Vec::new(),
            punch_in: false,
            motion: Motion::None,
            lut: None,
            repeat_frames: 0,
        }
    }

    #[test]
    fn parses_and_retimes() {
        let srt = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n00:00:05,000 --> 00:00:06,000\r\nWorld\r\nagain\r\n";
        let cues = parse_srt(srt);
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[1].text, "World\nagain");
        // Keep 0–2 s, drop 2–5 s, keep 5–7 s (placed at 2 s).
        let segs = [seg(0.0, 2.0, 0.0), seg(5.0, 7.0, 2.0)];
        let out = retime(&cues, &segs);
        assert_eq!(out.len(), 2);
        assert!((out[0].end_s - 2.0).abs() < 1e-9);
        assert!((out[1].start_s - 2.0).abs() < 1e-9 && (out[1].end_s - 3.0).abs() < 1e-9);
        let text = to_srt(&out);
        assert!(text.starts_with("1\n00:00:01,000 --> 00:00:02,000\nHello\n"));
    }
}
