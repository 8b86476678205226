//! HTTP/1.1 over tokio by hand (request heads parsed by httparse, bodies read by `Content-Length`), keep-alive,
//! optional TLS. hyper's `server` feature would rebuild the whole AWS SDK, and the protocol needed here is small.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;

use crate::sim::Sim;
use crate::wire::{reason, Answer, Request};

/// A request head larger than this is refused (SigV4 heads are a few KiB).
const MAX_HEAD: usize = 64 * 1024;
/// A body larger than this is refused (the scan's largest bodies are small JSON and forms).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// A connection idle this long between requests is closed.
const IDLE: Duration = Duration::from_secs(120);

/// What a connection's loop ends with; every end closes the connection.
enum End {
    Closed,
    Bad(&'static str),
}

/// Serves one connection until the client closes it, asks to, or the simulator stops.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, sim: Arc<Sim>, stop: watch::Sender<bool>) {
    let mut stopped = stop.subscribe();
    tokio::select! {
        end = serve_requests(&mut stream, &sim, &stop) => {
            if let Ok(End::Bad(why)) = end {
                let answer = Answer::new(400, "text/plain", why);
                let _ = stream.write_all(&head(&answer, true)).await;
                let _ = stream.write_all(&answer.body).await;
            }
        }
        _ = crate::until_stopped(&mut stopped) => {}
    }
    let _ = stream.shutdown().await;
}

async fn serve_requests<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    sim: &Sim,
    stop: &watch::Sender<bool>,
) -> std::io::Result<End> {
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut rng = fastrand::Rng::new();
    loop {
        // The head.
        let (mut req, head_len, content_length, close, chunked) = loop {
            if !buf.is_empty() {
                let mut headers = [httparse::EMPTY_HEADER; 64];
                let mut parsed = httparse::Request::new(&mut headers);
                match parsed.parse(&buf) {
                    Ok(httparse::Status::Complete(n)) => break read_head(&parsed, n),
                    Ok(httparse::Status::Partial) => {}
                    Err(_) => return Ok(End::Bad("malformed request head")),
                }
                if buf.len() > MAX_HEAD {
                    return Ok(End::Bad("request head too large"));
                }
            }
            match tokio::time::timeout(IDLE, stream.read_buf(&mut buf)).await {
                Ok(Ok(0)) | Err(_) => return Ok(End::Closed),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(e),
            }
        };
        if chunked {
            return Ok(End::Bad("chunked request bodies are not supported (no call of a scan sends one)"));
        }
        if content_length > MAX_BODY {
            return Ok(End::Bad("request body too large"));
        }
        buf.drain(..head_len);
        while buf.len() < content_length {
            if stream.read_buf(&mut buf).await? == 0 {
                return Ok(End::Closed);
            }
        }
        req.body = buf.drain(..content_length).collect();

        if req.method == "GET" && req.target == "/__sim/stats" {
            let body = serde_json::to_vec_pretty(&sim.stats()).unwrap_or_default();
            let answer = Answer::new(200, "application/json", body);
            stream.write_all(&head(&answer, close)).await?;
            stream.write_all(&answer.body).await?;
        } else {
            sim.started();
            let handled = sim.handle(&req, &mut rng);
            if !handled.delay.is_zero() {
                tokio::time::sleep(handled.delay).await;
            }
            let mut out = head(&handled.answer, close);
            out.extend_from_slice(&handled.answer.body);
            let written = stream.write_all(&out).await;
            sim.finished();
            written?;
            if handled.budget_spent {
                let _ = stop.send(true);
            }
        }
        if close {
            return Ok(End::Closed);
        }
    }
}

/// The request of a parsed head, its length, its `Content-Length`, whether it asks to close, and whether its body
/// is chunked.
fn read_head(parsed: &httparse::Request<'_, '_>, head_len: usize) -> (Request, usize, usize, bool, bool) {
    let mut req = Request {
        method: parsed.method.unwrap_or("GET").to_string(),
        target: parsed.path.unwrap_or("/").to_string(),
        ..Request::default()
    };
    let mut content_length = 0;
    let mut close = parsed.version == Some(0);
    let mut chunked = false;
    for h in parsed.headers.iter() {
        let value = || String::from_utf8_lossy(h.value).into_owned();
        let name = h.name;
        if name.eq_ignore_ascii_case("authorization") {
            req.authorization = Some(value());
        } else if name.eq_ignore_ascii_case("x-amz-target") {
            req.amz_target = Some(value());
        } else if name.eq_ignore_ascii_case("content-type") {
            req.content_type = Some(value());
        } else if name.eq_ignore_ascii_case("x-amz-security-token") {
            req.security_token = Some(value());
        } else if name.eq_ignore_ascii_case("content-length") {
            content_length = std::str::from_utf8(h.value).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(0);
        } else if name.eq_ignore_ascii_case("connection") {
            let v = value().to_ascii_lowercase();
            close = v.contains("close") || (close && !v.contains("keep-alive"));
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value().to_ascii_lowercase().contains("chunked");
        }
    }
    (req, head_len, content_length, close, chunked)
}

/// The status line and headers of an answer.
fn head(answer: &Answer, close: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + answer.body.len());
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nx-amzn-RequestId: simulated\r\n",
            answer.status,
            reason(answer.status),
            answer.content_type,
            answer.body.len()
        )
        .as_bytes(),
    );
    for (name, value) in &answer.headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}
