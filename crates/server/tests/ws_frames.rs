//! Black-box tests of the socket's own protocol: ping/pong, error frames for
//! frames the server cannot use, oversize frames, and the idle timeout
//! (shortened through the server's environment so the test takes seconds).

mod util;

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use util::http::LEAKS;
use util::{order_body, Incoming, Server, ServerOptions, Ws, STEP};

/// Idle timeout the tests run with (the server's default is 60 s), set
/// through `TICKETRAIL_WS_IDLE_SECS`.
const IDLE_SECS: u64 = 3;
/// Ping-frame interval to go with it (`TICKETRAIL_WS_PING_SECS`, default 20 s),
/// shorter than the idle timeout as in production.
const PING_SECS: u64 = 1;

fn assert_error_frame(frame: &Value) {
    assert_eq!(frame["type"], "error", "expected an error frame: {frame}");
    let code = frame["code"].as_str().expect("code is a string");
    assert!(
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "code is not snake_case: {code:?}"
    );
    let message = frame["message"].as_str().expect("message is a string");
    assert!(!message.trim().is_empty());
    let lower = frame.to_string().to_lowercase();
    for leak in LEAKS {
        assert!(!lower.contains(leak), "error frame leaks {leak:?}: {frame}");
    }
}

#[tokio::test]
async fn ping_is_answered_with_pong() {
    let server = Server::start().await;
    let (mut ws, _) = Ws::connect_ready(&server, "1", None).await;
    for _ in 0..3 {
        let pong = ws.ping().await;
        let stamp = pong["timestamp"].as_str().expect("pong timestamp");
        chrono::DateTime::parse_from_rfc3339(stamp).expect("RFC 3339 timestamp");
    }
}

#[tokio::test]
async fn unusable_frames_get_error_frames_and_the_socket_stays_usable() {
    let server = Server::start().await;
    let menu = server.orderable(1).await;
    let (mut ws, _) = Ws::connect_ready(&server, "1", None).await;
    for frame in [
        "{not json",
        "",
        "null",
        "[]",
        "42",
        r#"{"type":"dance"}"#,
        r#"{"type":42}"#,
        r#"{"no_type":true}"#,
        r#"{"type":"new_order","order":{}}"#,
        "\u{0645}\u{0631}\u{062D}\u{0628}\u{0627} 🎉",
    ] {
        ws.send_text(frame).await;
        let answer = ws.next_value().await;
        assert_error_frame(&answer);
        if frame == "{not json" {
            assert_eq!(answer["code"], "bad_request");
        }
        ws.ping().await;
    }
    // Still a working event channel, not just a ping responder.
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    let (_, event) = ws.next_order_event().await;
    assert_eq!(event.order, order);
    server.get("/healthz").await.expect(200);
}

#[tokio::test]
async fn an_oversize_frame_gets_an_error_then_close() {
    let server = Server::start().await;
    let (mut ws, _) = Ws::connect_ready(&server, "1", None).await;
    let pad = "x".repeat(ticketrail_protocol::MAX_BODY_BYTES);
    ws.send_text(format!(r#"{{"type":"ping","pad":"{pad}"}}"#))
        .await;
    let before_close = ws.expect_closed(STEP).await;
    let error = before_close
        .iter()
        .find(|m| m["type"] == "error")
        .unwrap_or_else(|| panic!("no error frame before close; got {before_close:?}"));
    assert_error_frame(error);
    assert_eq!(error["code"], "payload_too_large");
    // The server itself is fine.
    server.get("/healthz").await.expect(200);
    let (mut again, _) = Ws::connect_ready(&server, "1", None).await;
    again.ping().await;
}

fn idle_server_options() -> ServerOptions {
    ServerOptions {
        env: vec![
            ("TICKETRAIL_WS_IDLE_SECS".to_owned(), IDLE_SECS.to_string()),
            ("TICKETRAIL_WS_PING_SECS".to_owned(), PING_SECS.to_string()),
        ],
        ..ServerOptions::default()
    }
}

/// Opens the outlet socket over a bare TCP stream that authenticates, then
/// never answers anything (not even ping frames): a client that went
/// silent.
async fn silent_socket(server: &Server) -> TcpStream {
    let mut tcp = TcpStream::connect(server.addr())
        .await
        .expect("tcp connect");
    let request = format!(
        "GET /ws/outlet/1/ HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        server.addr()
    );
    tcp.write_all(request.as_bytes())
        .await
        .expect("send handshake");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(STEP, tcp.read(&mut byte))
            .await
            .expect("handshake answer in time")
            .expect("read handshake");
        assert_eq!(n, 1, "connection closed during handshake");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(
        head.starts_with("HTTP/1.1 101"),
        "handshake refused: {head}"
    );
    let auth = format!(r#"{{"type":"auth","token":"{}"}}"#, server.admin_token());
    let length = u8::try_from(auth.len()).expect("a short auth frame");
    assert!(length < 126, "the auth frame fits a one-byte length");
    // A masked text frame; an all-zero mask leaves the payload as it is.
    let mut frame = vec![0x81, 0x80 | length, 0, 0, 0, 0];
    frame.extend_from_slice(auth.as_bytes());
    tcp.write_all(&frame).await.expect("send the auth frame");
    tcp
}

/// Reads server frames until a close frame or the end of the stream; returns
/// how long that took and the opcodes of the frames before it. Server frames
/// are unmasked, so parsing is simple.
async fn wait_for_close(tcp: &mut TcpStream, within: Duration) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + within;
    let mut buf = Vec::new();
    let mut opcodes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = tokio::time::timeout_at(deadline, tcp.read(&mut chunk))
            .await
            .unwrap_or_else(|_| panic!("silent socket still open after {within:?}"));
        match read {
            Ok(0) | Err(_) => return (started.elapsed(), opcodes),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        while let Some((opcode, len)) = frame_header(&buf) {
            if opcode == 0x8 {
                return (started.elapsed(), opcodes);
            }
            opcodes.push(opcode);
            buf.drain(..len);
        }
    }
}

/// Opcode and total length of the first complete frame in `buf`, if any.
fn frame_header(buf: &[u8]) -> Option<(u8, usize)> {
    let opcode = buf.first()? & 0x0f;
    let short = usize::from(buf.get(1)? & 0x7f);
    let (header, payload) = match short {
        126 => (
            4,
            usize::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?])),
        ),
        127 => {
            let bytes: [u8; 8] = buf.get(2..10)?.try_into().ok()?;
            (10, usize::try_from(u64::from_be_bytes(bytes)).ok()?)
        }
        n => (2, n),
    };
    (buf.len() >= header + payload).then_some((opcode, header + payload))
}

#[tokio::test]
async fn a_silent_socket_is_closed_after_the_idle_timeout() {
    let server = Server::start_with(idle_server_options()).await;
    let mut tcp = silent_socket(&server).await;
    let (closed_after, opcodes) =
        wait_for_close(&mut tcp, Duration::from_secs(IDLE_SECS * 10)).await;
    assert!(
        opcodes.contains(&0x9),
        "no ping frame before the idle close: {opcodes:?}"
    );
    assert!(
        closed_after >= Duration::from_millis(IDLE_SECS * 1000 / 2),
        "closed after {closed_after:?}, well before the {IDLE_SECS} s idle timeout"
    );
}

#[tokio::test]
async fn sockets_that_answer_pings_or_talk_stay_open() {
    let server = Server::start_with(idle_server_options()).await;
    // Like a browser: never sends a message, but its WebSocket stack answers
    // the server's ping frames (tungstenite does this while reading).
    let (mut listener, _) = Ws::connect_ready(&server, "1", None).await;
    // A kiosk that sends application pings.
    let (mut talker, _) = Ws::connect_ready(&server, "1", None).await;
    let until = Instant::now() + Duration::from_secs(IDLE_SECS * 3);
    while Instant::now() < until {
        talker.ping().await;
        if let Some(Incoming::Closed(why)) = listener.read(Duration::from_millis(500)).await {
            panic!("a socket answering pings was closed: {why}");
        }
    }
    let menu = server.orderable(1).await;
    let order = server.place_ok(&order_body("1", &[(&menu[0].id, 1)])).await;
    for ws in [&mut listener, &mut talker] {
        let (_, event) = ws.next_order_event().await;
        assert_eq!(event.order, order);
    }
}
