//! Public identifiers: `vid_…` for videos, `job_…` for jobs, `whd_…` for webhook deliveries.
//! The random part is a UUIDv7 in simple hex, so ids sort by creation time.

fn make(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::now_v7().simple())
}

pub fn new_video_id() -> String {
    make("vid_")
}

pub fn new_job_id() -> String {
    make("job_")
}

pub fn new_delivery_id() -> String {
    make("whd_")
}

/// True when `s` has the given prefix followed by 32 lowercase hex digits.
pub fn is_valid(prefix: &str, s: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 32
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_validate() {
        let v = new_video_id();
        assert!(is_valid("vid_", &v), "{v}");
        assert!(!is_valid("job_", &v));
        assert!(!is_valid("vid_", "vid_../../etc"));
        let a = new_job_id();
        let b = new_job_id();
        assert_ne!(a, b);
    }
}
