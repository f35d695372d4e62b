//! The provisioning subcommands, run against a live server's file:
//! `token` prints one working token (or says what is wrong and prints
//! nothing), and `outlet add` makes an outlet the server serves at once.

use reqwest::Method;
use ticketrail_protocol::OutletInfo;

use crate::util::access::assert_forbidden;
use crate::util::{order_body, Server, Ws};

#[tokio::test]
async fn the_token_subcommand_prints_one_token_that_works_at_once() {
    let server = Server::start().await;
    let flags = ["--role", "kitchen", "--outlet", "1", "--name", "Dapur"];
    let output = server.run_cli(&["token"], &flags).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "token failed: {stderr}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let token = stdout.strip_suffix('\n').expect("a whole line");
    assert!(!token.contains('\n'), "more than one line: {stdout:?}");
    let hex = token.bytes().all(|b| b.is_ascii_hexdigit());
    assert!(token.len() == 64 && hex, "not a 64-hex token: {token:?}");
    let feed = |outlet: &str| format!("/api/orders?outlet_id={outlet}&since_id=0");
    server
        .send_as(token, Method::GET, &feed("1"), None)
        .await
        .expect(200);
    let resp = server.send_as(token, Method::GET, &feed("2"), None).await;
    assert_forbidden(&resp, &server, "a kitchen token of outlet 1 at outlet 2");

    for (flags, says) in [
        (
            ["--role", "kiosk", "--name", "Pintu"].as_slice(),
            "--outlet",
        ),
        (
            &["--role", "admin", "--outlet", "1", "--name", "Pemilik"],
            "--outlet",
        ),
        (
            &["--role", "kiosk", "--outlet", "nowhere", "--name", "Pintu"],
            "nowhere",
        ),
        (
            &["--role", "chef", "--outlet", "1", "--name", "Pintu"],
            "chef",
        ),
        (
            &["--role", "kiosk", "--outlet", "1", "--name", " "],
            "--name",
        ),
    ] {
        let output = server.run_cli(&["token"], flags).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{flags:?} succeeded");
        assert!(output.stdout.is_empty(), "{flags:?} printed a token");
        assert!(
            stderr.contains(says),
            "{flags:?}: stderr does not say {says}: {stderr}"
        );
    }
}

#[tokio::test]
async fn outlet_add_makes_an_outlet_the_running_server_serves() {
    let server = Server::start().await;
    let name = "Kopi Senja — Bandung";
    let add = |id: &'static str, timezone: &'static str, currency: &'static str| {
        let server = &server;
        let flags = [
            "--id",
            id,
            "--name",
            name,
            "--timezone",
            timezone,
            "--currency",
            currency,
        ];
        async move { server.run_cli(&["outlet", "add"], &flags).await }
    };
    let output = add("3", "Asia/Makassar", "IDR").await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "outlet add failed: {stderr}");
    // The admin lists every outlet, this one included.
    let outlets: Vec<OutletInfo> = server.get("/api/outlets/").await.expect(200).json();
    let added = outlets
        .iter()
        .find(|outlet| outlet.id == "3")
        .expect("outlet 3 is listed");
    let profile = (
        added.name.as_str(),
        added.timezone.as_str(),
        added.currency.as_str(),
    );
    assert_eq!(profile, (name, "Asia/Makassar", "IDR"));

    let product = server.orderable(1).await.remove(0).id;
    let order_at = |outlet: &str| order_body(outlet, &[(product.as_str(), 1)]);
    assert_eq!(server.place_ok(&order_at("3")).await.outlet_id, "3");
    let kiosk = server.token("kiosk", Some("3"), "Kiosk Bandung").await;
    let resp = server
        .send_as(&kiosk, Method::POST, "/api/orders/", Some(&order_at("3")))
        .await;
    resp.expect(201);
    let mut ws = Ws::connect_as(&server, &kiosk, "3", None).await;
    assert_eq!(ws.next_value().await["outlet_id"], "3");

    for (output, says) in [
        (add("4", "Mars/Olympus", "IDR").await, "Mars/Olympus"),
        (add("4", "Asia/Jakarta", "rupiah").await, "currency"),
    ] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "an outlet with a bad {says} was added"
        );
        assert!(
            stderr.contains(says),
            "stderr does not say {says}: {stderr}"
        );
    }
    let resp = server.place(&order_at("4")).await;
    assert_eq!(
        resp.status, 404,
        "a refused outlet takes orders: {}",
        resp.text
    );
}
