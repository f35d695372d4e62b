//! The session loop over in-memory channels against a real (temporary)
//! store: catch-up and live events without gaps or duplicates, outlet
//! isolation, client frames, idle close and shutdown.

use std::time::Duration;

use futures_util::{sink, stream};
use serde_json::Value;
use tempfile::TempDir;
use ticketrail_protocol::{OrderItemRequest, OrderStatus, PlaceOrder, ProductInput, StatusChange};
use tokio::sync::mpsc;

use super::*;
use crate::events::Hub;
use crate::store::{AccessWrite, Credential, CredentialKind, MasterWrite};
use ticketrail_protocol::Role;

/// How long one expected message may take.
const STEP: Duration = Duration::from_secs(10);

struct Harness {
    _dir: TempDir,
    store: Store,
    hub: Hub,
    access: Arc<Access>,
    shutdown: CancellationToken,
}

/// The token every harness session authenticates with: an admin's, so
/// any outlet may be watched.
const TOKEN: &str = "session-test-token";

async fn harness() -> Harness {
    harness_with(Hub::new()).await
}

async fn harness_with(hub: Hub) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &dir.path().join("t.db"),
        Some(&crate::demo::seed()),
        hub.clone(),
    )
    .await
    .unwrap();
    store
        .access(AccessWrite::CreateCredential(Credential {
            id: "dev-test".into(),
            kind: CredentialKind::Device,
            token_hash: crate::access::secret::hash_secret(TOKEN),
            name: "session tests".into(),
            role: Role::Admin,
            outlet_id: None,
            created_at: chrono::Utc::now(),
            expires_at: None,
            last_seen_at: None,
            revoked: false,
        }))
        .await
        .unwrap();
    Harness {
        _dir: dir,
        store,
        hub,
        access: Arc::new(Access::default()),
        shutdown: CancellationToken::new(),
    }
}

const SLOW: SocketTiming = SocketTiming {
    ping_every: Duration::from_secs(3600),
    idle_timeout: Duration::from_secs(3600),
};

/// The far end of a session: what a browser would hold.
struct Client {
    to_server: mpsc::UnboundedSender<Message>,
    from_server: mpsc::Receiver<Message>,
}

impl Client {
    async fn next(&mut self) -> Message {
        tokio::time::timeout(STEP, self.from_server.recv())
            .await
            .expect("a message in time")
            .expect("session still sending")
    }

    /// The next text frame as JSON, skipping pings.
    async fn next_json(&mut self) -> Value {
        loop {
            match self.next().await {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Ping(_) => continue,
                other => panic!("expected text, got {other:?}"),
            }
        }
    }

    fn send_text(&self, text: &str) {
        self.to_server.send(Message::Text(text.into())).unwrap();
    }
}

fn connect(h: &Harness, outlet_id: &str, since_id: Option<i64>, timing: SocketTiming) -> Client {
    connect_with(h, outlet_id, since_id, timing, 1024)
}

/// A session whose client buffers at most `window` unread messages; a
/// full window blocks the session like a slow network would.
fn connect_with(
    h: &Harness,
    outlet_id: &str,
    since_id: Option<i64>,
    timing: SocketTiming,
    window: usize,
) -> Client {
    let (to_server, incoming) = mpsc::unbounded_channel::<Message>();
    let (outgoing, from_server) = mpsc::channel::<Message>(window);
    let sink = Box::pin(sink::unfold(outgoing, |tx, message: Message| async move {
        tx.send(message).await.map_err(|_| "client went away")?;
        Ok::<_, &str>(tx)
    }));
    let stream = Box::pin(stream::unfold(incoming, |mut rx| async move {
        rx.recv().await.map(|m| (Ok::<_, Infallible>(m), rx))
    }));
    let session = Session {
        outlet_id: outlet_id.into(),
        store: h.store.clone(),
        hub: h.hub.clone(),
        access: h.access.clone(),
        since_id,
        timing,
        shutdown: h.shutdown.clone(),
    };
    tokio::spawn(session.run(sink, stream));
    let client = Client {
        to_server,
        from_server,
    };
    client.send_text(&format!(r#"{{"type":"auth","token":"{TOKEN}"}}"#));
    client
}

async fn place(
    store: &Store,
    outlet_id: &str,
    client_order_id: &str,
) -> ticketrail_protocol::Order {
    let order = PlaceOrder {
        client_order_id: client_order_id.into(),
        outlet_id: outlet_id.into(),
        items: vec![OrderItemRequest {
            product_id: "p-1".into(),
            quantity: 1,
            notes: None,
        }],
        master_version: None,
        placed_at: Utc::now(),
    };
    store.place_order(order).await.unwrap().order
}

async fn advance(store: &Store, order_id: &str, status: OrderStatus, request_id: &str) {
    let change = StatusChange {
        status,
        request_id: request_id.into(),
    };
    store
        .change_status(order_id.parse().unwrap(), change)
        .await
        .unwrap();
}

#[tokio::test]
async fn catch_up_then_live_events_without_gaps_duplicates_or_other_outlets() {
    let h = harness().await;
    let first = place(&h.store, "1", "a").await; // seq 1
    advance(&h.store, &first.id, OrderStatus::Preparing, "r-1").await; // seq 2
    place(&h.store, "1", "b").await; // seq 3

    let mut client = connect(&h, "1", Some(1), SLOW);
    let connected = client.next_json().await;
    assert_eq!(connected["type"], "connected");
    assert_eq!(connected["outlet_id"], "1");
    assert_eq!(connected["seq"], 3);
    let caught: Vec<(Value, Value)> = vec![client.next_json().await, client.next_json().await]
        .into_iter()
        .map(|m| (m["type"].clone(), m["seq"].clone()))
        .collect();
    assert_eq!(
        caught,
        [
            (Value::from("kitchen_status_changed"), Value::from(2)),
            (Value::from("new_order"), Value::from(3)),
        ]
    );

    place(&h.store, "2", "elsewhere").await;
    place(&h.store, "1", "c").await; // seq 4
    let live = client.next_json().await;
    assert_eq!(
        (live["type"].as_str(), live["seq"].as_i64()),
        (Some("new_order"), Some(4))
    );
    assert_eq!(live["order"]["client_order_id"], "c");
}

#[tokio::test]
async fn without_since_id_only_new_events_arrive_and_master_events_reach_every_outlet() {
    let h = harness().await;
    place(&h.store, "1", "before").await;
    let mut client = connect(&h, "2", None, SLOW);
    assert_eq!(client.next_json().await["type"], "connected");
    let product = ProductInput {
        id: Some("p-new".into()),
        name: "Es Kopi Susu 🇮🇩".into(),
        translations: Default::default(),
        description: String::new(),
        category_id: "c-1".into(),
        price: 2_000_000,
        currency: "IDR".into(),
        image_url: None,
        is_active: true,
        station: "bar".into(),
    };
    let outcome = h
        .store
        .write_master(MasterWrite::Create(crate::store::MasterInput::Product(
            product,
        )))
        .await
        .unwrap();
    let event = client.next_json().await;
    assert_eq!(event["type"], "product:created");
    assert_eq!(event["version"], outcome.version());
    assert_eq!(event["product"]["name"], "Es Kopi Susu 🇮🇩");
}

#[tokio::test]
async fn a_socket_that_falls_behind_catches_up_from_the_database() {
    let h = harness_with(Hub::with_capacity(2)).await;
    let mut client = connect_with(&h, "1", None, SLOW, 1);
    assert_eq!(client.next_json().await["type"], "connected");
    // The client reads nothing while 30 commits happen: the session blocks
    // on its full window and the hub drops batches for it.
    for n in 0..30 {
        place(&h.store, "1", &format!("order-{n}")).await;
    }
    let mut seqs = Vec::new();
    while seqs.len() < 30 {
        let event = client.next_json().await;
        assert_eq!(event["type"], "new_order");
        seqs.push(event["seq"].as_i64().unwrap());
    }
    assert_eq!(
        seqs,
        (1..=30).collect::<Vec<i64>>(),
        "every order once, in seq order"
    );
}

#[tokio::test]
async fn pings_are_answered_and_bad_frames_get_error_frames() {
    let h = harness().await;
    let mut client = connect(&h, "1", None, SLOW);
    assert_eq!(client.next_json().await["type"], "connected");
    client.send_text(r#"{"type":"ping"}"#);
    assert_eq!(client.next_json().await["type"], "pong");
    client.send_text("not json");
    let error = client.next_json().await;
    assert_eq!(
        (error["type"].as_str(), error["code"].as_str()),
        (Some("error"), Some("bad_request"))
    );
    client.send_text(r#"{"type":"dance"}"#);
    assert_eq!(client.next_json().await["code"], "bad_request");
    // Still usable after bad frames.
    client.send_text(r#"{"type":"ping"}"#);
    assert_eq!(client.next_json().await["type"], "pong");

    client.send_text(&format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(MAX_BODY_BYTES)
    ));
    assert_eq!(client.next_json().await["code"], "payload_too_large");
    assert!(
        matches!(client.next().await, Message::Close(Some(frame)) if frame.code == close_code::SIZE)
    );
}

#[tokio::test]
async fn a_silent_socket_is_pinged_then_closed() {
    let h = harness().await;
    let timing = SocketTiming {
        ping_every: Duration::from_millis(50),
        idle_timeout: Duration::from_millis(400),
    };
    let mut client = connect(&h, "1", None, timing);
    assert!(matches!(client.next().await, Message::Text(_)));
    let mut pings = 0;
    loop {
        match client.next().await {
            Message::Ping(_) => pings += 1,
            Message::Close(Some(frame)) => {
                assert_eq!(frame.code, close_code::NORMAL);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(pings >= 1, "pings before the idle close");
}

#[tokio::test]
async fn shutdown_closes_open_sockets() {
    let h = harness().await;
    let mut client = connect(&h, "1", None, SLOW);
    assert_eq!(client.next_json().await["type"], "connected");
    h.shutdown.cancel();
    assert!(
        matches!(client.next().await, Message::Close(Some(frame)) if frame.code == close_code::AWAY)
    );
}
