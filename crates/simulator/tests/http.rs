//! The simulator over real sockets: keep-alive, `Connection: close`, the stats endpoint, the request budget.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sgaudit_simulator::{start, Config, Stats};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn signed(body: &str, close: bool) -> String {
    format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: AWS4-HMAC-SHA256 \
         Credential=AKIDTEST/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00\r\n\
         Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: {}\r\n{}\r\n{body}",
        body.len(),
        if close { "Connection: close\r\n" } else { "" }
    )
}

/// Reads one answer (head and `Content-Length` body) from the stream.
async fn answer(stream: &mut TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.parse().ok())
                .expect("a Content-Length");
            while buf.len() < end + 4 + len {
                assert!(stream.read_buf(&mut buf).await.unwrap() > 0, "closed mid-answer");
            }
            return (head, String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned());
        }
        assert!(stream.read_buf(&mut buf).await.unwrap() > 0, "closed before an answer");
    }
}

#[tokio::test]
async fn keep_alive_close_stats_and_budget() {
    let config = Config { accounts: 2, latency_median_ms: 0.0, throttle: false, max_requests: 4, ..Config::default() };
    let running = start(config).await.unwrap();
    let addr = running.url.trim_start_matches("http://").to_string();

    // Two requests on one connection, the second asking to close.
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream.write_all(signed("Action=DescribeSecurityGroups&MaxResults=1000", false).as_bytes()).await.unwrap();
    let (head, body) = answer(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body.matches("<groupId>sg-").count(), 20 + 14 + 1, "20 groups, 14 peer references, default self");
    stream.write_all(signed("Action=DescribeRegions&AllRegions=false", true).as_bytes()).await.unwrap();
    let (head, body) = answer(&mut stream).await;
    assert!(head.contains("Connection: close"));
    assert_eq!(body.matches("<regionName>").count(), 17);
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).await.unwrap(), 0, "the server closed the connection");

    // The stats endpoint: unsigned, not counted.
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream.write_all(b"GET /__sim/stats HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (_, body) = answer(&mut stream).await;
    let stats: Stats = serde_json::from_str(&body).unwrap();
    assert_eq!((stats.requests, stats.distinct, stats.connections), (2, 2, 2));
    assert_eq!(stats.per_api["ec2:DescribeSecurityGroups"].requests, 1);
    assert_eq!(stats.max_in_flight, 1);

    // The budget of 4 requests: the 4th answer stops the simulator.
    for _ in 0..2 {
        stream.write_all(signed("Action=DescribeVpcs", false).as_bytes()).await.unwrap();
        let (head, _) = answer(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 200"));
    }
    tokio::time::timeout(std::time::Duration::from_secs(5), running.stopped()).await.expect("stopped after its budget");
    assert_eq!(running.stats().requests, 4);
    assert_eq!(running.stats().distinct, 3);
}
