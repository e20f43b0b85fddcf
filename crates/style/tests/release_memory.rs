//! `analyze::release_freed_memory` hands freed heap memory back to the system. Its own test
//! binary (one test, one process), so no other test allocates while RSS is read.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn memory_freed_by_a_worker_thread_leaves_the_process() {
    // As the audio analysis does: a thread allocates a spectrogram one small row at a
    // time (here 64 MiB in rows of 64 f32), then a small result that outlives it (the
    // beats), frees the spectrogram and ends. The live result at the top of the thread's
    // heap keeps glibc from shrinking it, so the freed rows stay resident.
    let kept = std::thread::spawn(|| {
        let rows: Vec<Vec<f32>> = (0..262_144).map(|i| vec![i as f32; 64]).collect();
        let kept: Vec<f64> = rows.iter().step_by(4096).map(|r| r[0] as f64).collect();
        std::hint::black_box(&rows);
        kept
    })
    .join()
    .unwrap();
    assert_eq!(kept.len(), 64);
    let before = rss_kib();
    stylecut_style::analyze::release_freed_memory();
    let after = rss_kib();
    // Without the trim glibc keeps most of those 64 MiB (plus block headers) resident.
    assert!(
        before > after + 32 * 1024,
        "RSS {before} KiB before the trim, {after} KiB after"
    );
}
