//! People: signing in with a password, signing out, and the per-address
//! limits on login and pairing attempts.

use reqwest::Method;
use ticketrail_protocol::LoginSession;

use crate::util::access::{assert_forbidden, assert_unauthorized, bearer};
use crate::util::{assert_error, now, Server};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn people_sign_in_with_a_password_and_sign_out() {
    let server = Server::start().await;
    server.add_user("ana", PASSWORD, "manager", Some("1")).await;
    server.add_user("owner", PASSWORD, "admin", None).await;

    let resp = server.login("ana", PASSWORD).await.expect(200);
    let fields = resp.body.as_object().expect("an object");
    let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["expires_at", "outlet_id", "role", "token"],
        "{}",
        resp.text
    );
    let session: LoginSession = resp.json();
    assert_eq!(session.role.as_str(), "manager");
    assert_eq!(session.outlet_id.as_deref(), Some("1"));
    assert!(session.expires_at > now(), "{session:?}");
    let token = session.token.as_str();
    let own = "/api/devices?outlet_id=1";
    server
        .send_as(token, Method::GET, own, None)
        .await
        .expect(200);
    let resp = server
        .send_as(token, Method::GET, "/api/devices?outlet_id=2", None)
        .await;
    assert_forbidden(&resp, &server, "a manager of outlet 1 listing outlet 2");
    let owner = server.login("owner", PASSWORD).await.expect(200);
    assert!(owner.body["outlet_id"].is_null(), "{}", owner.text);
    assert_eq!(owner.body["role"], "admin", "{}", owner.text);

    // A wrong password and an unknown person look the same.
    let wrong = server.login("ana", "wrong horse battery").await;
    let nobody = server.login("nobody", PASSWORD).await;
    assert_unauthorized(&wrong, &server, "a wrong password");
    assert_unauthorized(&nobody, &server, "an unknown username");
    assert_eq!(wrong.text, nobody.text);

    // Signing out ends that session and nothing else.
    let sign_out = |authorization: Option<String>| {
        let server = &server;
        async move {
            let path = "/api/auth/session";
            server
                .send_with(Method::DELETE, path, None, authorization.as_deref())
                .await
        }
    };
    sign_out(Some(bearer(token))).await.expect(204);
    let resp = server.send_as(token, Method::GET, own, None).await;
    assert_unauthorized(&resp, &server, "a signed-out session");
    assert_unauthorized(
        &sign_out(Some(bearer(token))).await,
        &server,
        "signing out twice",
    );
    assert_unauthorized(
        &sign_out(None).await,
        &server,
        "signing out with no session",
    );
    let owner: LoginSession = owner.json();
    server
        .send_as(&owner.token, Method::GET, "/api/devices", None)
        .await
        .expect(200);
}

#[tokio::test]
async fn pairing_and_login_attempts_are_limited_per_address_each_on_its_own() {
    let server = Server::start().await;
    let manager = server.token("manager", Some("1"), "manager@1").await;
    server
        .add_user("kasir", PASSWORD, "manager", Some("1"))
        .await;
    // Ten pairing attempts a minute, good codes and bad alike.
    let good = server.pairing_code(&manager, "1", "kiosk", "first").await;
    server.pair(&good.code).await.expect(201);
    for attempt in 2..=10 {
        let resp = server.pair(&format!("WRONG-{attempt:05}")).await;
        assert_unauthorized(&resp, &server, &format!("pairing attempt {attempt}"));
    }
    let unused = server.pairing_code(&manager, "1", "kiosk", "second").await;
    assert_error(
        &server.pair(&unused.code).await,
        &server,
        429,
        "rate_limited",
    );
    // Logins are counted on their own: the pairing limit does not touch
    // them, and theirs does not lift it.
    for attempt in 1..=10 {
        let resp = server.login("kasir", "wrong horse battery").await;
        assert_unauthorized(&resp, &server, &format!("login attempt {attempt}"));
    }
    assert_error(
        &server.login("kasir", PASSWORD).await,
        &server,
        429,
        "rate_limited",
    );
    assert_error(
        &server.pair(&unused.code).await,
        &server,
        429,
        "rate_limited",
    );
}
