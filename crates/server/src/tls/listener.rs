//! A TLS listener for `axum::serve`: accepts TCP connections from an inner
//! listener and hands axum only those that finished their TLS handshake.
//!
//! Handshakes run as tasks of their own, so a client that connects and then
//! says nothing (or a slow tablet on bad Wi-Fi) holds up nobody else; each
//! gets [`HANDSHAKE_TIMEOUT`]. The listener is dropped when the server stops
//! accepting, which aborts the handshakes still running.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long a client may take to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection whose handshake finished, with its peer's address.
type Accepted<L> = (TlsStream<<L as Listener>::Io>, <L as Listener>::Addr);

/// Wraps `L`, answering TLS on every connection it accepts.
pub struct TlsListener<L: Listener> {
    inner: L,
    acceptor: TlsAcceptor,
    /// The handshakes under way; `None` for one that failed.
    handshakes: JoinSet<Option<Accepted<L>>>,
}

impl<L: Listener> TlsListener<L> {
    /// Serves TLS with `config` on the connections `inner` accepts.
    pub fn new(inner: L, config: Arc<rustls::ServerConfig>) -> Self {
        TlsListener {
            inner,
            acceptor: TlsAcceptor::from(config),
            handshakes: JoinSet::new(),
        }
    }
}

impl<L> Listener for TlsListener<L>
where
    L: Listener,
    L::Addr: std::fmt::Debug + 'static,
{
    type Io = TlsStream<L::Io>;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // Both branches are cancel-safe (axum drops this future when it
        // stops accepting): a connection is either still in the inner
        // listener's queue, or a handshake task in the set.
        loop {
            tokio::select! {
                biased;
                Some(done) = self.handshakes.join_next() => {
                    if let Ok(Some(connection)) = done {
                        return connection;
                    }
                }
                (io, addr) = self.inner.accept() => {
                    let acceptor = self.acceptor.clone();
                    self.handshakes.spawn(async move {
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(io)).await {
                            Ok(Ok(tls)) => Some((tls, addr)),
                            // A browser that does not trust the certificate
                            // hangs up here; that is its business, not an
                            // error of the server's.
                            Ok(Err(error)) => {
                                tracing::debug!(?addr, %error, "TLS handshake failed");
                                None
                            }
                            Err(_) => {
                                tracing::debug!(?addr, "TLS handshake timed out");
                                None
                            }
                        }
                    });
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}
