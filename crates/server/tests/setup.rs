//! First run, black-box: a server nobody can sign in to prints a one-time
//! setup address on STDOUT (never in its log); the code in it creates the
//! owner and the first outlet once, without any credential, and then the
//! owner signs in.

mod util;

use serde_json::{json, Value};
use util::{assert_error, Resp, Server, ServerOptions};

#[tokio::test]
async fn the_printed_code_sets_the_server_up_once_and_the_owner_signs_in() {
    let server = Server::start_with(ServerOptions {
        demo: false,
        ..ServerOptions::default()
    })
    .await;
    let url = server.setup_url().await;
    assert!(url.contains("/setup?code="), "{url}");
    let code = url.split_once("code=").expect("a code").1.to_owned();
    // Nobody has a credential yet: every request here goes without one.
    let anonymous = util::server::client(None);
    let needed = || async {
        let resp = server.send(anonymous.get(server.url("/api/setup"))).await;
        resp.expect(200).body["needed"].clone()
    };
    let set_up = |code: &str, outlet: Value| {
        let body = json!({"code": code, "username": "owner",
            "password": "correct horse", "outlet": outlet});
        server.send(anonymous.post(server.url("/api/setup")).json(&body))
    };
    let outlet = json!({"id": "1", "name": "Kopi Senja",
        "timezone": "Asia/Jakarta", "currency": "IDR"});
    assert_eq!(needed().await, true);

    let resp: Resp = set_up("WRONG-CODE9", outlet.clone()).await;
    assert_error(&resp, &server, 401, "unauthorized");
    let resp = set_up(&code, Value::Null).await;
    assert_error(&resp, &server, 400, "bad_request");

    let session = set_up(&code, outlet.clone()).await.expect(201);
    assert_eq!(session.body["role"], "admin");
    let token = session.body["token"].as_str().expect("a token").to_owned();
    let owners = util::server::client(Some(&token));
    let outlets = server.send(owners.get(server.url("/api/outlets/"))).await;
    assert_eq!(outlets.expect(200).body[0]["timezone"], "Asia/Jakarta");

    let resp = set_up(&code, outlet).await;
    assert_error(&resp, &server, 409, "conflict");
    assert_eq!(needed().await, false);
    let login = json!({"username": "owner", "password": "correct horse"});
    let signed_in = server.send(anonymous.post(server.url("/api/auth/login")).json(&login));
    signed_in.await.expect(200);
    assert!(
        !server.log().contains(&code),
        "the setup code must not reach the log"
    );
}
