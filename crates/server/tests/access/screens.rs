//! Screens: pairing codes (single use, ten minutes, typed loosely, only
//! from an outlet's manager or the admin) and the device list a manager
//! sees.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;
use ticketrail_protocol::{Device, Paired};

use crate::util::access::{assert_forbidden, assert_unauthorized, Cast};
use crate::util::{now, order_body, Server, Ws};

/// The symbols a pairing code may use: capitals and digits without the
/// look-alikes 0/O and 1/I/L.
fn unambiguous(symbol: char) -> bool {
    (symbol.is_ascii_uppercase() || symbol.is_ascii_digit()) && !"0O1IL".contains(symbol)
}

#[tokio::test]
async fn pairing_codes_are_single_use_short_lived_and_forgive_how_they_are_typed() {
    let server = Server::start().await;
    let cast = Cast::provision(&server).await;
    let manager = cast.token("manager@1");
    let mut codes = Vec::new();
    for name in ["Kiosk 0", "Kiosk 1", "Kiosk 2"] {
        codes.push(server.pairing_code(manager, "1", "kiosk", name).await);
    }
    let ten_minutes = chrono::Duration::minutes(9)..=chrono::Duration::minutes(10);
    for code in &codes {
        let symbols: String = code.code.chars().filter(|c| *c != '-').collect();
        assert!(symbols.len() >= 8, "{code:?} is too short");
        assert!(
            symbols.chars().all(unambiguous),
            "{code:?} has an ambiguous symbol"
        );
        let lasts = code.expires_at - now();
        assert!(ten_minutes.contains(&lasts), "{code:?} lasts {lasts}");
    }
    let distinct: BTreeSet<&str> = codes.iter().map(|code| code.code.as_str()).collect();
    assert_eq!(distinct.len(), codes.len(), "{codes:?}");

    // Typed in lower case, or without the dash: both pair.
    let typed = [codes[0].code.to_lowercase(), codes[1].code.replace('-', "")];
    let mut paired: Vec<Paired> = Vec::new();
    for code in &typed {
        paired.push(server.pair(code).await.expect(201).json());
    }
    for screen in &paired {
        assert_eq!(
            (screen.outlet_id.as_str(), screen.role.as_str()),
            ("1", "kiosk")
        );
        let hex = screen.token.bytes().all(|b| b.is_ascii_hexdigit());
        assert!(
            screen.token.len() >= 32 && hex,
            "under 128 bits: {screen:?}"
        );
    }
    assert_ne!(paired[0].token, paired[1].token);
    // Used, expired and unknown codes all get the same 401.
    server.expire_pairing_codes("Kiosk 2").await;
    for (code, why) in [
        (codes[0].code.as_str(), "a used code"),
        (&typed[1], "a used code, as typed"),
        (&codes[2].code, "an expired code"),
        ("ZZZZZ-ZZZZZ", "an unknown code"),
    ] {
        assert_unauthorized(&server.pair(code).await, &server, why);
    }

    // A paired kiosk is a kiosk of outlet 1, and nothing more.
    let product = server.orderable(1).await.remove(0).id;
    let order_at = |outlet: &str| order_body(outlet, &[(product.as_str(), 1)]);
    let kiosk = &paired[0].token;
    let orders = "/api/orders/";
    let feed = "/api/orders?outlet_id=1&since_id=0";
    server
        .send_as(kiosk, Method::POST, orders, Some(&order_at("1")))
        .await
        .expect(201);
    for (method, path, body) in [
        (Method::POST, orders, Some(order_at("2"))),
        (Method::GET, feed, None),
        (Method::GET, "/api/devices?outlet_id=1", None),
    ] {
        let resp = server
            .send_as(kiosk, method.clone(), path, body.as_ref())
            .await;
        assert_forbidden(&resp, &server, &format!("a paired kiosk: {method} {path}"));
    }
    // A kitchen code pairs a kitchen: it reads the feed and orders nothing.
    let code = server.pairing_code(manager, "1", "kitchen", "Dapur").await;
    let kitchen: Paired = server.pair(&code.code).await.expect(201).json();
    assert_eq!(kitchen.role.as_str(), "kitchen");
    server
        .send_as(&kitchen.token, Method::GET, feed, None)
        .await
        .expect(200);
    let resp = server
        .send_as(&kitchen.token, Method::POST, orders, Some(&order_at("1")))
        .await;
    assert_forbidden(&resp, &server, "a paired kitchen placing an order");

    // Who may ask for codes, and for which role.
    let ask =
        |outlet: &str, role: &str| json!({"outlet_id": outlet, "role": role, "name": "Layar"});
    for (who, body, status) in [
        ("manager@1", ask("2", "kiosk"), 403),
        ("kitchen@1", ask("1", "kiosk"), 403),
        ("kiosk@1", ask("1", "kiosk"), 403),
        ("manager@1", ask("1", "admin"), 400),
        ("admin", ask("1", "admin"), 400),
        ("manager@1", ask("1", "manager"), 201),
        ("admin", ask("2", "kitchen"), 201),
    ] {
        let token = cast.token(who);
        let resp = server
            .send_as(token, Method::POST, "/api/pairing-codes", Some(&body))
            .await;
        assert_eq!(
            resp.status, status,
            "{who} asking for {body}: {}",
            resp.text
        );
    }
}

#[tokio::test]
async fn managers_list_their_own_outlets_screens_and_see_which_are_online() {
    let server = Server::start().await;
    let cast = Cast::provision(&server).await;
    let manager = cast.token("manager@1");
    let code = server
        .pairing_code(manager, "1", "kiosk", "Kiosk by the door")
        .await;
    let kiosk: Paired = server.pair(&code.code).await.expect(201).json();

    let outlet_1 = ["kiosk@1", "kitchen@1", "manager@1", "Kiosk by the door"];
    let outlet_2 = ["kiosk@2", "kitchen@2", "manager@2"];
    for (outlet, theirs) in [("1", outlet_1.as_slice()), ("2", outlet_2.as_slice())] {
        let who = format!("manager@{outlet}");
        let devices = server.devices_as(cast.token(&who), None).await;
        let names: BTreeSet<&str> = devices.iter().map(|device| device.name.as_str()).collect();
        assert_eq!(
            names,
            theirs.iter().copied().collect(),
            "{who} lists {devices:?}"
        );
        let own = devices
            .iter()
            .all(|device| device.outlet_id.as_deref() == Some(outlet));
        assert!(own, "{who} lists {devices:?}");
    }
    let listed = |devices: Vec<Device>, id: &str| {
        devices
            .into_iter()
            .find(|device| device.id == id)
            .unwrap_or_else(|| panic!("{id} is not listed"))
    };
    let fresh = listed(server.devices_as(manager, None).await, &kiosk.device_id);
    assert!(
        !fresh.online && fresh.last_seen_at.is_none(),
        "never used: {fresh:?}"
    );

    let opened = now() - chrono::Duration::seconds(1);
    let mut ws = Ws::connect_as(&server, &kiosk.token, "1", None).await;
    assert_eq!(ws.next_value().await["type"], "connected");
    let watching = listed(server.devices_as(manager, None).await, &kiosk.device_id);
    assert!(watching.online, "a kiosk with an open socket: {watching:?}");
    let seen = watching.last_seen_at.is_some_and(|seen| seen >= opened);
    assert!(seen, "a kiosk with an open socket: {watching:?}");

    let kitchen = server.device_id("kitchen@2").await;
    let unused = listed(
        server.devices_as(cast.token("manager@2"), None).await,
        &kitchen,
    );
    assert!(unused.last_seen_at.is_none(), "never used: {unused:?}");
    let feed = "/api/orders?outlet_id=2&since_id=0";
    server
        .send_as(cast.token("kitchen@2"), Method::GET, feed, None)
        .await
        .expect(200);
    let used = listed(
        server.devices_as(cast.token("manager@2"), None).await,
        &kitchen,
    );
    assert!(
        used.last_seen_at.is_some(),
        "a kitchen that polled: {used:?}"
    );
    ws.close().await;
}
