//! The outlet socket's admission: nothing is said before a valid `auth`
//! frame; a missing, late or bad one, a token of another outlet and a page
//! of another site are refused; and revoking a screen closes its socket at
//! once and refuses its token everywhere.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};
use ticketrail_protocol::{Device, Paired};

use crate::util::access::{
    assert_unauthorized, bearer, unknown_token, upgrade_with_origin, Cast, QUIET,
};
use crate::util::{Incoming, Server, Ws, STEP};
use crate::Fixture;

/// The first frame of a socket's client.
fn auth(token: &str) -> String {
    json!({"type": "auth", "token": token}).to_string()
}

/// The next frame, within `within`; panics on a close or nothing.
async fn first_frame(ws: &mut Ws, within: Duration) -> Value {
    match ws.read(within).await {
        Some(Incoming::Text(value, _)) => value,
        other => panic!("expected a frame within {within:?}, got {other:?}"),
    }
}

/// Panics unless `frame` is an error frame with `code`.
fn assert_error_frame(frame: &Value, code: &str, what: &str) {
    assert_eq!(frame["type"], "error", "{what}: {frame}");
    assert_eq!(frame["code"], code, "{what}: {frame}");
    let message = frame["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{what}: {frame}");
}

/// Opens `outlet`'s socket, sends `first` and expects an error frame
/// `code` at once (well before the 5 s deadline), then the close and
/// nothing else.
async fn refused(server: &Server, outlet: &str, first: String, code: &str, what: &str) {
    let started = Instant::now();
    let path = format!("/ws/outlet/{outlet}/");
    let mut ws = Ws::try_connect(server, &path).await.expect("upgrade");
    ws.send_text(first).await;
    assert_error_frame(&first_frame(&mut ws, STEP).await, code, what);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "{what}: refused after {took:?}"
    );
    let after = ws.expect_closed(STEP).await;
    assert!(
        after.is_empty(),
        "{what}: frames after the refusal: {after:?}"
    );
}

/// Connects, sends nothing, and expects the `unauthorized` frame at the
/// 5 s deadline; returns the socket, refused but not yet read to its end.
async fn silent_socket(server: &Server) -> Ws {
    let started = Instant::now();
    let mut ws = Ws::try_connect(server, "/ws/outlet/1/")
        .await
        .expect("upgrade");
    let frame = first_frame(&mut ws, Duration::from_secs(8)).await;
    let waited = started.elapsed();
    assert_error_frame(&frame, "unauthorized", "a silent socket");
    let about_five = Duration::from_millis(4_500)..=Duration::from_secs(7);
    assert!(
        about_five.contains(&waited),
        "a silent socket was refused after {waited:?}"
    );
    ws
}

/// Connects as `who`: nothing arrives before the `auth` frame, then
/// `connected` with the protocol revision.
async fn admitted(server: &Server, cast: &Cast, who: &str) {
    let mut ws = Ws::try_connect(server, "/ws/outlet/1/?since_id=0")
        .await
        .expect("upgrade");
    assert!(
        ws.read(QUIET).await.is_none(),
        "{who}: the server spoke before auth"
    );
    ws.send_text(auth(cast.token(who))).await;
    let connected = ws.next_value().await;
    assert_eq!(connected["type"], "connected", "{who}: {connected}");
    assert_eq!(connected["protocol"], 2, "{who}: {connected}");
    assert_eq!(connected["outlet_id"], "1", "{who}: {connected}");
}

#[tokio::test]
async fn a_socket_is_admitted_only_by_a_valid_auth_frame_within_five_seconds() {
    let server = Server::start().await;
    let (cast, revoked) = tokio::join!(Cast::provision(&server), server.revoked_token("1"));
    // Every case runs at once: the two at the 5 s deadline set the pace.
    let silent = async {
        let mut ws = silent_socket(&server).await;
        let after = ws.expect_closed(STEP).await;
        assert!(after.is_empty(), "frames after the refusal: {after:?}");
    };
    let late = async {
        let mut ws = silent_socket(&server).await;
        ws.send_text(auth(cast.token("kiosk@1"))).await;
        let after = ws.expect_closed(STEP).await;
        assert!(
            after.is_empty(),
            "a late auth frame was answered: {after:?}"
        );
    };
    let unauthorized = [
        ("an unknown token", auth(&unknown_token())),
        ("a revoked token", auth(&revoked)),
        ("an empty token", auth("")),
        (
            "an auth frame with no token",
            r#"{"type":"auth"}"#.to_owned(),
        ),
        ("a first frame that is not JSON", "{not json".to_owned()),
        ("a ping before auth", r#"{"type":"ping"}"#.to_owned()),
    ];
    let unauthorized = join_all(unauthorized.into_iter().map(|(what, first)| {
        let server = &server;
        async move { refused(server, "1", first, "unauthorized", what).await }
    }));
    let (kiosk_1, kiosk_2) = (auth(cast.token("kiosk@1")), auth(cast.token("kiosk@2")));
    let forbidden = [
        ("a kiosk of outlet 2", "1", kiosk_2),
        ("a manager of outlet 2", "1", auth(cast.token("manager@2"))),
        // An outlet that does not exist is refused like one not yours.
        ("a kiosk at an unknown outlet", "nowhere", kiosk_1),
    ];
    let forbidden = join_all(forbidden.into_iter().map(|(what, outlet, first)| {
        let server = &server;
        async move { refused(server, outlet, first, "forbidden", what).await }
    }));
    let everyone = ["kiosk@1", "kitchen@1", "manager@1", "admin"];
    let admitted = join_all(everyone.map(|who| admitted(&server, &cast, who)));
    let origins = async {
        let path = "/ws/outlet/1/";
        let (status, body) = upgrade_with_origin(&server, path, "https://evil.example").await;
        assert_eq!(status, 403, "another site's page opened a socket: {body}");
        assert_eq!(body["error"]["code"], "forbidden", "{body}");
        let own = format!("http://{}", server.addr());
        let (status, _) = upgrade_with_origin(&server, path, &own).await;
        assert_eq!(status, 101, "the server's own page was refused a socket");
    };
    tokio::join!(silent, late, unauthorized, forbidden, admitted, origins);
}

#[tokio::test]
async fn revoking_a_screen_closes_its_socket_at_once_and_refuses_its_token() {
    let server = Server::start().await;
    let fixture = Fixture::provision(&server).await;
    let manager = fixture.cast.token("manager@1");
    let code = server
        .pairing_code(manager, "1", "kiosk", "Kiosk by the door")
        .await;
    let kiosk: Paired = server.pair(&code.code).await.expect(201).json();
    let mut ws = Ws::connect_as(&server, &kiosk.token, "1", None).await;
    let connected = ws.next_value().await;
    assert_eq!(connected["type"], "connected", "{connected}");
    let the_kiosk = || async {
        server
            .devices_as(manager, Some("1"))
            .await
            .into_iter()
            .find(|device| device.id == kiosk.device_id)
            .expect("the paired kiosk is listed")
    };
    let before = the_kiosk().await;
    assert!(before.online && !before.revoked, "{before:?}");

    let path = format!("/api/devices/{}", kiosk.device_id);
    let resp = server.send_as(manager, Method::DELETE, &path, None).await;
    let answered = Instant::now();
    let device: Device = resp.expect(200).json();
    assert!(device.revoked && device.id == kiosk.device_id, "{device:?}");
    let within = Duration::from_secs(1);
    let frame = first_frame(&mut ws, within).await;
    assert_error_frame(&frame, "unauthorized", "a revoked kiosk's socket");
    let after = ws
        .expect_closed(within.saturating_sub(answered.elapsed()))
        .await;
    assert!(after.is_empty(), "frames after the revocation: {after:?}");
    let took = answered.elapsed();
    assert!(
        took < within,
        "the socket closed {took:?} after the DELETE answered"
    );

    let revoked = bearer(&kiosk.token);
    for rule in fixture.contract() {
        let resp = fixture.send(&server, &rule, Some(&revoked)).await;
        let what = format!("{} {} with a revoked token", rule.method, rule.path);
        assert_unauthorized(&resp, &server, &what);
    }
    refused(
        &server,
        "1",
        auth(&kiosk.token),
        "unauthorized",
        "a revoked kiosk again",
    )
    .await;
    let after = the_kiosk().await;
    assert!(after.revoked && !after.online, "{after:?}");
}
