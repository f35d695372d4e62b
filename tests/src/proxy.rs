//! A TCP proxy between the browser and the server that can cut WebSockets
//! while plain HTTP keeps flowing: the "socket blocked, HTTP up" network of
//! the feed tests, with no test-only switch inside the server.
//!
//! The browser opens the proxy's URL instead of the server's. Each accepted
//! connection's first request head decides what it is: one with an
//! `Upgrade: websocket` header is a socket, anything else is HTTP. The
//! decision is made once per connection, which is enough because Chromium
//! opens a dedicated connection for every WebSocket and never upgrades a
//! pooled HTTP one (and once upgraded, a connection carries nothing else).
//!
//! Bytes are forwarded untouched both ways; the proxy keeps no HTTP state.
//! It dials the server per connection, so it keeps working across
//! [`crate::Server::restart`] (same port), and while the server is stopped
//! it closes what it accepts, which the browser sees as "unreachable".

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{anyhow, Context, Result};
use tokio::io::{copy_bidirectional, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::Server;

/// The most a first request head may take; a WebSocket handshake is well
/// under 1 KiB. A longer head is forwarded as plain HTTP.
const MAX_HEAD: usize = 16 * 1024;

/// A running proxy; dropping it stops it and closes every connection it
/// holds.
pub struct Proxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

/// What the accept loop and the connection tasks share with the handle.
struct Shared {
    upstream: SocketAddr,
    gate: Mutex<Gate>,
    /// Bumped to close every upgraded connection open at that moment.
    cut: watch::Sender<u64>,
    attempts: AtomicU64,
    refused: AtomicU64,
    open: AtomicUsize,
    /// The request target (`/ws/outlet/1/?since_id=N`) of every WebSocket
    /// attempt, in order.
    targets: Mutex<Vec<String>>,
}

/// Whether new upgrades pass. Checked under the same lock as a socket
/// subscribes to cuts, so a socket either passes before a block (and is cut
/// by it) or is refused after it; none slips between.
struct Gate {
    blocked: bool,
}

impl Proxy {
    /// Starts a proxy on `127.0.0.1:0` forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (cut, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            upstream,
            gate: Mutex::new(Gate { blocked: false }),
            cut,
            attempts: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            open: AtomicUsize::new(0),
            targets: Mutex::new(Vec::new()),
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Proxy {
            address,
            shared,
            accept,
        })
    }

    /// Starts a proxy in front of `server` (its address survives restarts).
    pub async fn in_front_of(server: &Server) -> Result<Proxy> {
        let base = server.url("");
        let upstream = base
            .strip_prefix("http://")
            .and_then(|address| address.parse().ok())
            .ok_or_else(|| anyhow!("the server's URL {base:?} is not http://IP:PORT"))?;
        Self::start(upstream).await
    }

    /// Absolute URL of `path` (which starts with `/`) through the proxy:
    /// what the browser opens.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Refuses new WebSocket connections (closing them unanswered) and
    /// closes the open ones; HTTP keeps passing.
    pub fn block_sockets(&self) {
        self.shared.gate().blocked = true;
        self.cut_open();
    }

    /// Lets new WebSocket connections through again.
    pub fn allow_sockets(&self) {
        self.shared.gate().blocked = false;
    }

    /// Closes the WebSocket connections open now, as a dropped network path
    /// would, and lets new ones through.
    pub fn cut_sockets(&self) {
        let mut gate = self.shared.gate();
        gate.blocked = false;
        self.cut_open();
    }

    fn cut_open(&self) {
        self.shared.cut.send_modify(|generation| *generation += 1);
    }

    /// WebSocket connections attempted so far (passed or refused).
    pub fn socket_attempts(&self) -> u64 {
        self.shared.attempts.load(Ordering::SeqCst)
    }

    /// The request target of every WebSocket attempt so far, oldest first
    /// (`/ws/outlet/1/?since_id=12`): what each socket asked to catch up
    /// from.
    pub fn socket_targets(&self) -> Vec<String> {
        self.shared
            .targets
            .lock()
            .map(|targets| targets.clone())
            .unwrap_or_default()
    }

    /// WebSocket connections refused while blocked.
    pub fn sockets_refused(&self) -> u64 {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// WebSocket connections open through the proxy now.
    pub fn open_sockets(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // The accept task owns the connection tasks; aborting it drops
        // them all, which closes their sockets.
        self.accept.abort();
    }
}

impl Shared {
    fn gate(&self) -> MutexGuard<'_, Gate> {
        // A poisoned gate only means a test thread panicked while holding
        // it; the flag itself is always valid.
        self.gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((client, _)) = accepted {
                    connections.spawn(serve(client, Arc::clone(&shared)));
                }
            }
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next() => {}
        }
    }
}

/// Forwards one connection; errors only end it, as a network would.
async fn serve(mut client: TcpStream, shared: Arc<Shared>) {
    let Ok(head) = read_head(&mut client).await else {
        return;
    };
    if head.is_empty() {
        return;
    }
    if !is_websocket_upgrade(&head) {
        let _ = forward(client, &head, shared.upstream).await;
        return;
    }
    shared.attempts.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut targets) = shared.targets.lock() {
        targets.push(request_target(&head));
    }
    let mut cut = {
        let gate = shared.gate();
        if gate.blocked {
            shared.refused.fetch_add(1, Ordering::SeqCst);
            return;
        }
        shared.cut.subscribe()
    };
    shared.open.fetch_add(1, Ordering::SeqCst);
    let _open = OpenSocket(&shared.open);
    tokio::select! {
        _ = forward(client, &head, shared.upstream) => {}
        // Returning drops both streams: the browser sees the socket close.
        _ = cut.changed() => {}
    }
}

/// Counts a socket as open for as long as it lives.
struct OpenSocket<'a>(&'a AtomicUsize);

impl Drop for OpenSocket<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Dials `upstream`, replays `head` and then copies both ways until either
/// side closes.
async fn forward(mut client: TcpStream, head: &[u8], upstream: SocketAddr) -> Result<()> {
    let mut server = TcpStream::connect(upstream)
        .await
        .with_context(|| format!("dialling {upstream}"))?;
    server.write_all(head).await?;
    copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}

/// Reads until the end of the first request head (`\r\n\r\n`), the
/// connection's end, or [`MAX_HEAD`] bytes, whichever comes first; returns
/// everything read (a request body may have come along with the head).
async fn read_head(client: &mut TcpStream) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0_u8; 4096];
    while head.len() < MAX_HEAD && !contains(&head, b"\r\n\r\n") {
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    Ok(head)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Whether a request head asks for a WebSocket: a header line
/// `Upgrade: websocket`, name and value in any case.
/// The target of a request head's first line (`GET <target> HTTP/1.1`).
fn request_target(head: &[u8]) -> String {
    String::from_utf8_lossy(head)
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or_default()
        .to_owned()
}

fn is_websocket_upgrade(head: &[u8]) -> bool {
    let end = head
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or(head.len());
    String::from_utf8_lossy(&head[..end])
        .split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .any(|(name, value)| {
            name.trim().eq_ignore_ascii_case("upgrade")
                && value
                    .split(',')
                    .any(|protocol| protocol.trim().eq_ignore_ascii_case("websocket"))
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Duration;

    use crate::wait;

    const UPGRADE: &[u8] = b"GET /ws/outlet/1/?since_id=0 HTTP/1.1\r\nHost: x\r\n\
        Connection: Upgrade\r\nUPGRADE: WebSocket\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const PLAIN: &[u8] = b"GET /api/orders?outlet_id=1 HTTP/1.1\r\nHost: x\r\n\r\n";

    #[test]
    fn the_request_target_is_the_first_lines_second_word() {
        assert_eq!(request_target(UPGRADE), "/ws/outlet/1/?since_id=0");
        assert_eq!(request_target(b"garbage"), "");
    }

    #[test]
    fn only_a_websocket_upgrade_header_counts() {
        assert!(is_websocket_upgrade(UPGRADE));
        assert!(!is_websocket_upgrade(PLAIN));
        assert!(!is_websocket_upgrade(
            b"GET /websocket HTTP/1.1\r\nUpgrade: h2c\r\n\r\n"
        ));
        // In a body, after the head, it is not a header.
        assert!(!is_websocket_upgrade(
            b"POST / HTTP/1.1\r\nHost: x\r\n\r\nUpgrade: websocket\r\n"
        ));
        assert!(!is_websocket_upgrade(b""));
    }

    /// An upstream that echoes every byte back, so a connection through
    /// a proxy (this one, or the outbox tests' gate) shows whether it
    /// still flows.
    pub(crate) async fn echo_server() -> Result<SocketAddr> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut reader, mut writer) = stream.split();
                    let _ = tokio::io::copy(&mut reader, &mut writer).await;
                });
            }
        });
        Ok(address)
    }

    /// Sends `head` through the proxy and reads it back from the echo.
    async fn open(proxy: &Proxy, head: &[u8]) -> Result<TcpStream> {
        let mut stream = TcpStream::connect(proxy.address).await?;
        stream.write_all(head).await?;
        let mut echoed = vec![0_u8; head.len()];
        stream.read_exact(&mut echoed).await?;
        anyhow::ensure!(echoed == head, "the echo came back changed");
        Ok(stream)
    }

    /// Whether the proxy closed `stream` (EOF or reset within a deadline).
    async fn wait_closed(stream: &mut TcpStream) -> Result<()> {
        let mut byte = [0_u8; 1];
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte)).await {
            Ok(Ok(0) | Err(_)) => Ok(()),
            Ok(Ok(_)) => anyhow::bail!("data instead of a close"),
            Err(_) => anyhow::bail!("the connection stayed open"),
        }
    }

    #[tokio::test]
    async fn blocking_cuts_and_refuses_sockets_but_not_http() -> Result<()> {
        let proxy = Proxy::start(echo_server().await?).await?;
        let mut http = open(&proxy, PLAIN).await?;
        let mut socket = open(&proxy, UPGRADE).await?;
        assert_eq!(proxy.open_sockets(), 1);

        proxy.block_sockets();
        wait_closed(&mut socket).await?;
        let mut refused = TcpStream::connect(proxy.address).await?;
        refused.write_all(UPGRADE).await?;
        wait_closed(&mut refused).await?;
        assert_eq!((proxy.socket_attempts(), proxy.sockets_refused()), (2, 1));
        // The HTTP connection opened before the block still flows, and a
        // new one passes.
        http.write_all(b"more").await?;
        let mut echoed = [0_u8; 4];
        http.read_exact(&mut echoed).await?;
        assert_eq!(&echoed, b"more");
        open(&proxy, PLAIN).await?;

        proxy.allow_sockets();
        let _socket = open(&proxy, UPGRADE).await?;
        wait::until(
            "the open socket to be counted",
            Duration::from_secs(5),
            || {
                let open = proxy.open_sockets();
                async move { Ok((open == 1).then_some(())) }
            },
        )
        .await
    }

    #[tokio::test]
    async fn a_cut_closes_open_sockets_and_lets_new_ones_through() -> Result<()> {
        let proxy = Proxy::start(echo_server().await?).await?;
        let mut first = open(&proxy, UPGRADE).await?;
        proxy.cut_sockets();
        wait_closed(&mut first).await?;
        let _second = open(&proxy, UPGRADE).await?;
        assert_eq!((proxy.socket_attempts(), proxy.sockets_refused()), (2, 0));
        Ok(())
    }
}
