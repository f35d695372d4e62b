//! A minimal WebSocket client for the kitchen screens: the upgrade handshake
//! and a frame reader, over any byte stream.
//!
//! A thousand sockets of one outlet read about a million frames a second on
//! the same two cores as the server under test, so the bench must not spend
//! more per frame than a real kitchen screen (a device of its own) would
//! cost the server's machine. A full WebSocket library zero-filled its read
//! buffer before every read and copied every payload into a message of its
//! own; this reader reads into spare capacity and hands out slices of its
//! buffer. Server frames are never masked, so a frame is a header and its
//! payload. Fragmented messages are refused: the server never sends them,
//! and refusing them keeps every payload one slice.

use std::ops::Range;

use memchr::memmem;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The handshake key the bench sends, and the accept value RFC 6455 derives
/// from it (its own worked example). The key only proves the server speaks
/// WebSocket, so one fixed key serves every socket.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &[u8] = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// Largest handshake response the client reads.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// Largest frame payload the client accepts (the server's events are about
/// 1 KiB; this only stops a broken length from growing the buffer forever).
const MAX_PAYLOAD: u64 = 16 * 1024 * 1024;

/// Bytes each read may fill at least. The server flushes a socket at most
/// every 20 ms, about 14 KiB at 1,000 orders/s; a read that fills the
/// buffer costs a second read call, so this takes a whole flush at once.
const READ_CHUNK: usize = 32 * 1024;

/// What a frame carries, as far as the bench cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text message.
    Text,
    /// A binary message.
    Binary,
    /// A ping, to be answered with a pong carrying the same payload.
    Ping,
    /// A pong.
    Pong,
    /// The server is closing the socket.
    Close,
}

/// One client socket after its handshake.
#[derive(Debug)]
pub struct Socket<S> {
    stream: S,
    /// Bytes read and not yet parsed start at `start`.
    buffer: Vec<u8>,
    start: usize,
}

/// Performs the WebSocket upgrade for `path_and_query` on `stream`, whose
/// server is `host` (the `Host` header value).
pub async fn handshake<S>(
    mut stream: S,
    host: &str,
    path_and_query: &str,
) -> Result<Socket<S>, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("sending the upgrade request: {e}"))?;
    let mut buffer = Vec::with_capacity(READ_CHUNK);
    let head_end = loop {
        if let Some(at) = memmem::find(&buffer, b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > MAX_RESPONSE_HEAD {
            return Err("upgrade response head too long".to_string());
        }
        buffer.reserve(READ_CHUNK);
        match stream.read_buf(&mut buffer).await {
            Ok(0) => return Err("connection closed during the handshake".to_string()),
            Ok(_) => {}
            Err(e) => return Err(format!("reading the upgrade response: {e}")),
        }
    };
    let head = &buffer[..head_end];
    let status = head.split(|&b| b == b'\r').next().unwrap_or_default();
    if !status.starts_with(b"HTTP/1.1 101") {
        return Err(format!(
            "upgrade refused: {}",
            String::from_utf8_lossy(status)
        ));
    }
    if memmem::find(head, ACCEPT).is_none() {
        return Err("upgrade response lacks the expected Sec-WebSocket-Accept".to_string());
    }
    Ok(Socket {
        stream,
        buffer,
        start: head_end,
    })
}

impl<S> Socket<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    /// Reads more bytes from the server; `Ok(0)` means it closed the stream.
    /// Cancel-safe: a cancelled read has consumed nothing.
    pub async fn fill(&mut self) -> std::io::Result<usize> {
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        } else if self.start > self.buffer.capacity() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.reserve(READ_CHUNK);
        self.stream.read_buf(&mut self.buffer).await
    }

    /// The next complete frame already read, as its kind and the range of
    /// its payload (see [`Socket::payload`]); `None` until more is read.
    pub fn next_frame(&mut self) -> Result<Option<(Kind, Range<usize>)>, String> {
        let Some((kind, payload)) = parse_header(&self.buffer[self.start..])? else {
            return Ok(None);
        };
        let payload = self.start + payload.start..self.start + payload.end;
        self.start = payload.end;
        Ok(Some((kind, payload)))
    }

    /// The bytes of a payload range from [`Socket::next_frame`], valid until
    /// the next [`Socket::fill`].
    pub fn payload(&self, range: Range<usize>) -> &[u8] {
        &self.buffer[range]
    }

    /// Sends a pong with `payload` (the ping's).
    pub async fn pong(&mut self, payload: &[u8]) -> std::io::Result<()> {
        self.send(0xA, payload).await
    }

    /// Sends a normal-closure close frame.
    pub async fn close(&mut self) -> std::io::Result<()> {
        self.send(0x8, &1000u16.to_be_bytes()).await
    }

    /// Sends a short text frame (at most 125 bytes, such as the `auth`
    /// frame with a token).
    pub async fn text(&mut self, payload: &str) -> std::io::Result<()> {
        self.send(0x1, payload.as_bytes()).await
    }

    /// Sends one client frame (clients must mask; payloads here are at
    /// most 125 bytes, so the length always fits the first byte).
    async fn send(&mut self, opcode: u8, payload: &[u8]) -> std::io::Result<()> {
        let payload = payload.get(..125).unwrap_or(payload);
        let mask = fastrand::u32(..).to_be_bytes();
        let mut frame = Vec::with_capacity(6 + payload.len());
        frame.push(0x80 | opcode);
        // The length is at most 125, so the cast cannot truncate.
        frame.push(0x80 | payload.len() as u8);
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
        self.stream.write_all(&frame).await
    }
}

/// Parses the frame at the start of `bytes`: its kind and payload range,
/// `None` if it is not all there yet.
fn parse_header(bytes: &[u8]) -> Result<Option<(Kind, Range<usize>)>, String> {
    let [first, second, rest @ ..] = bytes else {
        return Ok(None);
    };
    if first & 0x80 == 0 || first & 0x0F == 0 {
        return Err("fragmented messages are not supported".to_string());
    }
    if second & 0x80 != 0 {
        return Err("the server masked a frame".to_string());
    }
    let kind = match first & 0x0F {
        0x1 => Kind::Text,
        0x2 => Kind::Binary,
        0x8 => Kind::Close,
        0x9 => Kind::Ping,
        0xA => Kind::Pong,
        other => return Err(format!("unknown opcode {other:#x}")),
    };
    let (length, header) = match second & 0x7F {
        126 => match rest {
            [a, b, ..] => (u64::from(u16::from_be_bytes([*a, *b])), 4),
            _ => return Ok(None),
        },
        127 => match rest.get(..8) {
            Some(eight) => {
                let mut word = [0; 8];
                word.copy_from_slice(eight);
                (u64::from_be_bytes(word), 10)
            }
            None => return Ok(None),
        },
        short => (u64::from(short), 2),
    };
    if length > MAX_PAYLOAD {
        return Err(format!("frame of {length} bytes is over the limit"));
    }
    // At most MAX_PAYLOAD, so it fits a usize.
    let end = header + length as usize;
    Ok((bytes.len() >= end).then_some((kind, header..end)))
}

#[cfg(test)]
pub(crate) mod tests {
    use tokio::io::duplex;

    use super::*;

    /// An unmasked server frame.
    pub(crate) fn server_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![0x80 | opcode];
        match payload.len() {
            n @ 0..=125 => frame.push(n as u8),
            n @ 126..=0xFFFF => {
                frame.push(126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(payload);
        frame
    }

    /// A server's answer to the bench's upgrade request.
    pub(crate) const RESPONSE: &[u8] =
        b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\
        connection: upgrade\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    #[tokio::test]
    async fn handshakes_then_reads_frames_sent_in_the_same_packet() {
        let (client, mut server) = duplex(1 << 20);
        let mut reply = RESPONSE.to_vec();
        reply.extend(server_frame(0x1, b"hello"));
        reply.extend(server_frame(0x2, &[7; 300]));
        reply.extend(server_frame(0x9, b"p"));
        server.write_all(&reply).await.unwrap();
        let mut socket = handshake(client, "127.0.0.1:1", "/ws/outlet/1/")
            .await
            .unwrap();
        let mut request = vec![0; 4096];
        let n = server.read(&mut request).await.unwrap();
        let request = String::from_utf8_lossy(&request[..n]);
        assert!(request.starts_with("GET /ws/outlet/1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n"));
        let mut seen = Vec::new();
        while let Some((kind, range)) = socket.next_frame().unwrap() {
            seen.push((kind, socket.payload(range).to_vec()));
        }
        assert_eq!(
            seen,
            vec![
                (Kind::Text, b"hello".to_vec()),
                (Kind::Binary, vec![7; 300]),
                (Kind::Ping, b"p".to_vec())
            ]
        );
    }

    #[tokio::test]
    async fn refuses_a_server_that_does_not_upgrade() {
        let (client, mut server) = duplex(1 << 16);
        server
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        let error = handshake(client, "h", "/").await.unwrap_err();
        assert!(error.contains("404"), "{error}");
    }

    #[tokio::test]
    async fn reassembles_frames_split_across_reads_and_masks_its_pongs() {
        let (client, mut server) = duplex(1 << 20);
        server.write_all(RESPONSE).await.unwrap();
        let mut socket = handshake(client, "h", "/").await.unwrap();
        let big = server_frame(0x1, &[b'x'; 70_000]);
        let (head, tail) = big.split_at(5);
        server.write_all(head).await.unwrap();
        socket.fill().await.unwrap();
        assert_eq!(socket.next_frame().unwrap(), None);
        server.write_all(tail).await.unwrap();
        let frame = loop {
            if let Some(frame) = socket.next_frame().unwrap() {
                break frame;
            }
            socket.fill().await.unwrap();
        };
        assert_eq!(frame.0, Kind::Text);
        assert_eq!(socket.payload(frame.1).len(), 70_000);

        let mut request = vec![0; 4096];
        let n = server.read(&mut request).await.unwrap();
        assert!(request[..n].ends_with(b"\r\n\r\n"));
        socket.pong(b"abc").await.unwrap();
        let mut sent = [0; 9];
        server.read_exact(&mut sent).await.unwrap();
        assert_eq!(sent[0], 0x8A);
        assert_eq!(sent[1], 0x80 | 3);
        let mask = &sent[2..6];
        let unmasked: Vec<u8> = sent[6..9]
            .iter()
            .zip(mask.iter().cycle())
            .map(|(b, m)| b ^ m)
            .collect();
        assert_eq!(unmasked, b"abc");
    }

    #[test]
    fn refuses_fragments_masks_and_oversize_lengths() {
        assert!(parse_header(&[0x01, 0x01, b'a']).is_err());
        assert!(parse_header(&[0x80, 0x01, b'a']).is_err());
        assert!(parse_header(&[0x81, 0x81, 0, 0, 0, 0, b'a']).is_err());
        let mut huge = vec![0x81, 127];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(parse_header(&huge).is_err());
        assert_eq!(parse_header(&[0x81]).unwrap(), None);
        assert_eq!(parse_header(&[0x81, 126, 0]).unwrap(), None);
    }
}
