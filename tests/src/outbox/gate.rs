//! A TCP gate between one browser and the server: open, it forwards every
//! connection untouched; closed, it drops the connections it carries and
//! closes every new one at once, which the browser (page and service
//! worker alike) sees as a network that is down. The server itself stays
//! up, so the test can still change the menu through it: "the kiosk is
//! offline while the manager deletes a dish".

use std::net::SocketAddr;

use anyhow::{anyhow, Result};
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::lan::OUTLET_HOST;
use crate::Server;

/// A running gate; dropping it closes everything it carries.
pub struct Gate {
    address: SocketAddr,
    open: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl Gate {
    /// An open gate on `127.0.0.1:0` in front of `server` (dialled per
    /// connection, so it survives a restart on the same port).
    pub async fn in_front_of(server: &Server) -> Result<Gate> {
        let base = server.url("");
        let upstream: SocketAddr = base
            .strip_prefix("http://")
            .or_else(|| base.strip_prefix("https://"))
            .and_then(|address| address.parse().ok())
            .ok_or_else(|| anyhow!("the server's URL {base:?} is not http(s)://IP:PORT"))?;
        Self::start(upstream).await
    }

    /// An open gate on `127.0.0.1:0` forwarding to `upstream`.
    async fn start(upstream: SocketAddr) -> Result<Gate> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (open, _) = watch::channel(true);
        let accept = tokio::spawn(accept_loop(listener, upstream, open.clone()));
        Ok(Gate {
            address,
            open,
            accept,
        })
    }

    /// Absolute URL of `path` through the gate: what the browser opens.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Like [`Gate::url`], for a browser on the LAN: the gate carries TLS
    /// untouched, so the page is `https://outlet.test:GATE_PORT{path}`.
    pub fn lan_url(&self, path: &str) -> String {
        format!("https://{OUTLET_HOST}:{}{path}", self.address.port())
    }

    /// Takes the network away: open connections drop, new ones close.
    pub fn close(&self) {
        self.open.send_replace(false);
    }

    /// Gives it back.
    pub fn open(&self) {
        self.open.send_replace(true);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        // The accept task owns the connection tasks; aborting it drops
        // them and their sockets.
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, open: watch::Sender<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                let gate = open.subscribe();
                if *gate.borrow() {
                    connections.spawn(carry(client, upstream, gate));
                }
                // Closed: `client` drops here, closing the connection.
            }
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next() => {}
        }
    }
}

/// Forwards one connection until either side ends it or the gate closes.
async fn carry(mut client: TcpStream, upstream: SocketAddr, mut gate: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        _ = copy_bidirectional(&mut client, &mut server) => {}
        _ = gate.wait_for(|open| !*open) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::tests::echo_server;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Whether `stream` still echoes (`true`) or was closed (`false`).
    async fn echoes(stream: &mut TcpStream) -> Result<bool> {
        if stream.write_all(b"ping").await.is_err() {
            return Ok(false);
        }
        let mut back = [0_u8; 4];
        match tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut back)).await {
            Ok(Ok(_)) => Ok(&back == b"ping"),
            Ok(Err(_)) => Ok(false),
            Err(_) => Err(anyhow!("neither an echo nor a close within 5 s")),
        }
    }

    #[tokio::test]
    async fn closing_drops_open_connections_and_refuses_new_ones_until_opened() -> Result<()> {
        let gate = Gate::start(echo_server().await?).await?;
        let mut before = TcpStream::connect(gate.address).await?;
        assert!(echoes(&mut before).await?);
        gate.close();
        assert!(!echoes(&mut before).await?);
        let mut during = TcpStream::connect(gate.address).await?;
        assert!(!echoes(&mut during).await?);
        gate.open();
        let mut after = TcpStream::connect(gate.address).await?;
        assert!(echoes(&mut after).await?);
        Ok(())
    }
}
