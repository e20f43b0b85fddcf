//! Large uploads: streamed to disk with flat memory, refused while streaming when too big.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::*;

/// Sends a multipart upload of `size` bytes, `prefix` then zeros, over a raw socket (the
/// client never holds the file in memory). Returns the HTTP status, the body, and whether
/// the server answered before the client finished sending.
async fn raw_upload(
    s: &Server,
    filename: &str,
    prefix: &[u8],
    size: u64,
    declare_length: bool,
) -> (u16, Value, bool) {
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = file_part_head(filename);
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let total = head.len() as u64 + size + tail.len() as u64;
    let mut req = format!(
        "POST /api/v1/videos/upload HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
    );
    if declare_length {
        req.push_str(&format!("Content-Length: {total}\r\n\r\n"));
    } else {
        req.push_str("Transfer-Encoding: chunked\r\n\r\n");
    }
    let (mut rd, mut wr) = sock.split();
    let send = async {
        let chunk = vec![0u8; 1 << 20];
        let put = |b: &[u8]| -> Vec<u8> {
            if declare_length {
                b.to_vec()
            } else {
                let mut v = format!("{:x}\r\n", b.len()).into_bytes();
                v.extend_from_slice(b);
                v.extend_from_slice(b"\r\n");
                v
            }
        };
        wr.write_all(req.as_bytes()).await?;
        wr.write_all(&put(head.as_bytes())).await?;
        if !prefix.is_empty() {
            // (An empty chunk would end a chunked body.)
            wr.write_all(&put(prefix)).await?;
        }
        let mut left = size - prefix.len() as u64;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            wr.write_all(&put(&chunk[..n])).await?;
            left -= n as u64;
        }
        wr.write_all(&put(tail.as_bytes())).await?;
        if !declare_length {
            wr.write_all(b"0\r\n\r\n").await?;
        }
        std::io::Result::Ok(())
    };
    let mut resp = Vec::new();
    let mut buf = vec![0u8; 65536];
    let read = async {
        loop {
            let n = rd.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            resp.extend_from_slice(&buf[..n]);
            if let Some(p) = find(&resp, b"\r\n\r\n") {
                let headers = String::from_utf8_lossy(&resp[..p]).to_lowercase();
                let len: usize = headers
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if resp.len() >= p + 4 + len {
                    break;
                }
            }
        }
        std::io::Result::Ok(())
    };
    tokio::pin!(send);
    tokio::pin!(read);
    let early = tokio::select! {
        r = &mut read => { r.unwrap(); true }
        r = &mut send => {
            // A send cut off by the server (it answered and closed) also counts as early.
            let cut = r.is_err();
            tokio::time::timeout(Duration::from_secs(120), &mut read).await.unwrap().unwrap();
            cut
        }
    };
    let text = String::from_utf8_lossy(&resp).to_string();
    let status: u16 = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    (
        status,
        serde_json::from_str(body).unwrap_or(Value::Null),
        early,
    )
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

#[tokio::test]
async fn one_gigabyte_upload_streams_with_flat_memory() {
    let s = Server::start(&[]);
    let before = s.peak_rss_kib();
    let t = Instant::now();
    // 10^9 bytes (under the 1000 MiB default limit), chunked so the server cannot size it:
    // a real MP4 followed by a top-level `free` box that pads it (players skip it).
    let size: u64 = 1_000_000_000;
    let mut prefix = std::fs::read(bikes()).unwrap();
    let pad = size - prefix.len() as u64;
    prefix.extend_from_slice(&(pad as u32).to_be_bytes());
    prefix.extend_from_slice(b"free");
    let (st, b, _) = raw_upload(&s, "big.mp4", &prefix, size, false).await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["file_size_bytes"].as_u64(), Some(size));
    assert_eq!(b["data"]["metadata"]["width"].as_u64(), Some(640));
    let peak = s.peak_rss_kib();
    eprintln!("1 GB upload: {secs:.1} s, server peak RSS {before} -> {peak} KiB");
    assert!(
        peak < 150 * 1024,
        "server peak RSS {peak} KiB for a 1 GB upload"
    );
    assert_eq!(staged_files(&s.data), 0);
    let stored = s
        .data
        .join("blobs/uploads")
        .join(format!("{}.mp4", b["data"]["video_id"].as_str().unwrap()));
    assert_eq!(std::fs::metadata(stored).unwrap().len(), size);
}

#[tokio::test]
async fn too_large_is_refused_while_streaming() {
    let s = Server::start(&[("MAX_FILE_SIZE_MB", "5")]);
    // Declared length over the limit: refused before any of the body is read.
    let (st, b, early) = raw_upload(&s, "big.mp4", b"", 200_000_000, true).await;
    assert_error(st, &b, 413, "FILE_TOO_LARGE");
    assert!(early, "answered only after the whole body was sent");
    // No length (chunked): refused as soon as the limit is passed.
    let (st, b, early) = raw_upload(&s, "big.mp4", b"", 200_000_000, false).await;
    assert_error(st, &b, 413, "FILE_TOO_LARGE");
    assert!(early, "answered only after the whole body was sent");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(staged_files(&s.data), 0);
    assert_eq!(count_files(&s.data.join("blobs/uploads")), 0);
}

#[tokio::test]
async fn a_multipart_body_cut_short_is_named_as_such() {
    // A client that stops sending inside the file part (its body has no closing
    // boundary): the answer says the upload was cut short, not only that parsing failed,
    // and nothing is kept.
    let s = Server::start(&[]);
    let media = std::fs::read(bikes()).expect("media");
    let mut body = file_part_head("bikes.mp4").into_bytes();
    body.extend_from_slice(&media[..media.len() / 2]);
    let r = s
        .req(reqwest::Method::POST, "/api/v1/videos/upload")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    let st = r.status().as_u16();
    let b: Value = r.json().await.unwrap_or(Value::Null);
    assert_error(st, &b, 422, "VALIDATION_ERROR");
    let detail = b["error"]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("cut short"), "{b}");
    assert!(detail.contains("\"file\""), "names the part: {b}");
    assert_eq!(staged_files(&s.data), 0);
    let uploads = std::fs::read_dir(s.data.join("blobs/uploads"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(uploads, 0, "no stored upload");
}

/// A client sends a whole upload and goes away before the answer (its connection closed
/// while the server stores and probes the file). The upload is committed all the same: its blob
/// and its video row, or neither (main: the handler was dropped with the client, after
/// the blob was stored and before its row: a blob in `blobs/uploads` no row names, never
/// removed).
#[tokio::test]
async fn a_client_gone_before_the_answer_leaves_no_unrecorded_blob() {
    let s = Server::start(&[]);
    let bytes = std::fs::read(bikes()).expect("media");
    let (ct, body) = multipart(Some(("bikes.mp4", &bytes[..])), &[]);
    let addr = s.base.trim_start_matches("http://").to_string();
    for wait_ms in [50, 150, 300, 600] {
        // Gone while the server stores and probes the file (main, on a loaded machine:
        // each of these left an unrecorded blob).
        upload_and_leave(&addr, "", &ct, &body, wait_ms).await;
    }
    // Long past any probe of this file; then the blobs and the rows must agree.
    let t = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut blobs: Vec<String> = std::fs::read_dir(s.data.join("blobs/uploads"))
            .map(|d| {
                d.flatten()
                    .map(|e| format!("uploads/{}", e.file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        blobs.sort();
        let rows = db_strings(&s, "SELECT stored_key FROM videos ORDER BY id").await;
        if blobs == rows && staged_files(&s.data) == 0 && t.elapsed() > Duration::from_secs(5) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "blobs {blobs:?} but rows {rows:?} (staged {})\n{}",
            staged_files(&s.data),
            s.log()
        );
    }
}
