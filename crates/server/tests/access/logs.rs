//! No secret reaches the server's log, even at debug level: tokens of
//! every kind (paired, scripted, login, unknown), pairing codes however
//! they were typed or linked, and passwords right or wrong.

use reqwest::Method;
use ticketrail_protocol::{LoginSession, Paired};

use crate::util::access::{assert_unauthorized, unknown_token};
use crate::util::{wait_until, Server, ServerOptions, Ws, STEP};

#[tokio::test]
async fn no_token_pairing_code_or_password_reaches_the_log() {
    let debug = ServerOptions {
        env: vec![("RUST_LOG".into(), "debug".into())],
        ..ServerOptions::default()
    };
    let server = Server::start_with(debug).await;
    let (password, wrong_password) = ("correct horse battery", "wrong horse battery");
    let manager = server.token("manager", Some("1"), "manager@1").await;
    server.add_user("ana", password, "manager", Some("1")).await;

    let first = server
        .pairing_code(&manager, "1", "kiosk", "Kiosk by the door")
        .await;
    let kiosk: Paired = server.pair(&first.code).await.expect(201).json();
    // The link a manager shows as a QR code, then the code typed loosely.
    let second = server.pairing_code(&manager, "1", "kitchen", "Dapur").await;
    let link = format!("/pair?code={}", second.code);
    server
        .send_with(Method::GET, &link, None, None)
        .await
        .expect(200);
    let typed = second.code.to_lowercase().replace('-', "");
    let kitchen: Paired = server.pair(&typed).await.expect(201).json();
    let session: LoginSession = server.login("ana", password).await.expect(200).json();
    let wrong = server.login("ana", wrong_password).await;
    assert_unauthorized(&wrong, &server, "a wrong password");

    let stranger = unknown_token();
    let tokens = [
        kiosk.token.as_str(),
        &kitchen.token,
        &session.token,
        &manager,
        server.admin_token(),
        &stranger,
    ];
    for token in tokens {
        for path in [
            "/api/products/?since_version=0",
            "/api/orders?outlet_id=1&since_id=0",
        ] {
            server.send_as(token, Method::GET, path, None).await;
        }
        let mut ws = Ws::connect_as(&server, token, "1", None).await;
        ws.next_value().await;
        ws.close().await;
    }
    let sign_out = server.send_as(&session.token, Method::DELETE, "/api/auth/session", None);
    sign_out.await.expect(204);
    let log = wait_until("the sign-out in the log", STEP, || async {
        let log = server.log();
        log.contains("/api/auth/session").then_some(log)
    })
    .await;
    assert!(
        log.contains("DEBUG"),
        "the server did not log at debug level"
    );

    let mut secrets: Vec<(String, &str)> = tokens
        .iter()
        .map(|token| (token.to_string(), "a token"))
        .collect();
    for code in [&first.code, &second.code] {
        secrets.push((code.clone(), "a pairing code"));
        secrets.push((code.replace('-', ""), "a pairing code"));
        secrets.push((code.to_lowercase().replace('-', ""), "a pairing code"));
    }
    secrets.push((password.to_owned(), "a password"));
    secrets.push((wrong_password.to_owned(), "a wrong password"));
    for (secret, what) in secrets {
        assert!(!log.contains(&secret), "the log holds {what}: {secret}");
    }
}
