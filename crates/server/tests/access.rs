//! Black-box tests of access (`PROTOCOL.md` v2 "access").
//!
//! This file holds the access table, [`contract`]: one line per request,
//! naming who may send it and what they get. [`check`] sends each line as
//! every member of the cast and with every kind of missing or bad
//! credential. Beside it: the socket's `auth` frame, its `Origin` check and
//! revocation ([`sockets`]); pairing codes and the device list
//! ([`screens`]); people's logins and the attempt limits ([`people`]); the
//! provisioning subcommands ([`provisioning`]); and that no secret reaches
//! the log ([`logs`]).

mod util;

// The cases live in `tests/access/`; a test crate's root finds modules
// beside itself, hence the paths.
#[path = "access/logs.rs"]
mod logs;
#[path = "access/people.rs"]
mod people;
#[path = "access/provisioning.rs"]
mod provisioning;
#[path = "access/screens.rs"]
mod screens;
#[path = "access/sockets.rs"]
mod sockets;

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde_json::{json, Value};
use ticketrail_protocol::OutletInfo;
use util::access::{assert_forbidden, assert_unauthorized, bearer, unknown_token, Cast, CAST};
use util::menu::{menu_facts, product_input, promotion_input, written, MenuFacts};
use util::server::HASHED_ASSET;
use util::{order_body, uuid, Resp, Server, INDEX_HTML};

/// Every member of the cast may.
const ANYONE: &[&str] = &CAST;
/// Only the admin may (or, for what does not exist, only the admin is told).
const ADMIN: &[&str] = &["admin"];

/// One line of the access table: `method path` with `body`, which the
/// members in `may` are let through with status `answer`; every other
/// member gets 403 and anyone without a valid credential 401.
///
/// Paths and bodies name what the fixture made in braces (`{order@1}`);
/// `{fresh}` is a new id on every request, so a create succeeds each time.
struct Rule {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    may: &'static [&'static str],
    answer: u16,
}

/// A [`Rule`] from `"METHOD path"`.
fn rule(
    request: &'static str,
    body: Option<&Value>,
    may: &'static [&'static str],
    answer: u16,
) -> Rule {
    let (method, path) = request.split_once(' ').expect("METHOD path");
    Rule {
        method: method.parse().expect("an HTTP method"),
        path,
        body: body.cloned(),
        may,
        answer,
    }
}

/// The contract's access table, endpoint by endpoint. `outlet_2` is the
/// body that writes outlet "2" back unchanged.
// One request per line reads as the contract does; rustfmt would spread
// each over seven lines.
#[rustfmt::skip]
fn contract(facts: &MenuFacts, outlet_2: &Value) -> Vec<Rule> {
    let new_product = product_input("{fresh}", facts, "Baru", 500);
    let product = product_input("acl-prod", facts, "ACL", 1_000);
    let new_category = json!({"id": "{fresh}", "name": "Baru", "sort_order": 70});
    let category = json!({"name": "ACL", "sort_order": 80});
    let new_promotion = promotion_input("{fresh}", &["acl-prod"], 5);
    let promotion = promotion_input("acl-promo", &["acl-prod"], 10);
    let order_at = |outlet: &str, key: &str| {
        let mut body = order_body(outlet, &[("acl-prod", 1)]);
        body["client_order_id"] = json!(key);
        body
    };
    // Replays of one request id answer 200 again, whoever sends them.
    let preparing = || json!({"status": "preparing", "request_id": uuid()});
    let outlet = |id: &str| json!({"id": id, "name": "Gerai", "timezone": "Asia/Jakarta", "currency": "IDR"});
    let pin = json!({"pin": "2468"});
    let kiosk_code = |outlet: &str| json!({"outlet_id": outlet, "role": "kiosk", "name": "Pintu"});
    vec![
        // The menu: every credential reads it; only the back office writes it.
        rule("GET /api/products/?since_version=0", None, ANYONE, 200),
        rule("GET /api/categories/?since_version=0", None, ANYONE, 200),
        rule("GET /api/promotions/?since_version=0", None, ANYONE, 200),
        rule("POST /api/products/", Some(&new_product), ADMIN, 201),
        rule("PUT /api/products/{product}/", Some(&product), ADMIN, 200),
        rule("DELETE /api/products/{doomed product}/", None, ADMIN, 200),
        rule("POST /api/categories/", Some(&new_category), ADMIN, 201),
        rule("PUT /api/categories/{category}/", Some(&category), ADMIN, 200),
        rule("DELETE /api/categories/{doomed category}/", None, ADMIN, 200),
        rule("POST /api/promotions/", Some(&new_promotion), ADMIN, 201),
        rule("PUT /api/promotions/{promotion}/", Some(&promotion), ADMIN, 200),
        rule("DELETE /api/promotions/{doomed promotion}/", None, ADMIN, 200),
        // Orders: a kiosk places them at its outlet; that outlet's kitchen
        // and manager read its feed and move them. Whether an order or an
        // outlet exists is told to the admin only.
        rule("POST /api/orders/", Some(&order_at("1", "{fresh}")), &["kiosk@1", "admin"], 201),
        rule("POST /api/orders/", Some(&order_at("2", "{fresh}")), &["kiosk@2", "admin"], 201),
        rule("POST /api/orders/", Some(&order_at("nowhere", "{fresh}")), ADMIN, 404),
        // A replay answers with the order placed first, so it is that
        // order's outlet that decides: outlet 1's kiosk must not learn of
        // outlet 2's order by naming its key.
        rule("POST /api/orders/", Some(&order_at("1", "{key of order@2}")), ADMIN, 200),
        rule("POST /api/orders/{order@1}/status", Some(&preparing()), &["kitchen@1", "manager@1", "admin"], 200),
        rule("POST /api/orders/{order@2}/status", Some(&preparing()), &["kitchen@2", "manager@2", "admin"], 200),
        rule("POST /api/orders/999999999/status", Some(&preparing()), ADMIN, 404),
        rule("POST /api/orders/not-an-order/status", Some(&preparing()), ADMIN, 404),
        rule("GET /api/orders?outlet_id=1&since_id=0", None, &["kitchen@1", "manager@1", "admin"], 200),
        rule("GET /api/orders?outlet_id=2&since_id=0", None, &["kitchen@2", "manager@2", "admin"], 200),
        rule("GET /api/orders?outlet_id=nowhere&since_id=0", None, ADMIN, 404),
        // Outlets: everyone reads their own; the admin makes and edits them;
        // an outlet's manager sets its staff PIN.
        rule("GET /api/outlets/", None, ANYONE, 200),
        rule("POST /api/outlets/", Some(&outlet("{fresh}")), ADMIN, 201),
        rule("PUT /api/outlets/2/", Some(outlet_2), ADMIN, 200),
        rule("PUT /api/outlets/nowhere/", Some(&outlet("nowhere")), ADMIN, 404),
        rule("PUT /api/outlets/1/staff-pin", Some(&pin), &["manager@1", "admin"], 200),
        rule("PUT /api/outlets/nowhere/staff-pin", Some(&pin), ADMIN, 404),
        // Devices: an outlet's manager pairs, lists and revokes its screens.
        rule("POST /api/pairing-codes", Some(&kiosk_code("1")), &["manager@1", "admin"], 201),
        rule("POST /api/pairing-codes", Some(&kiosk_code("2")), &["manager@2", "admin"], 201),
        rule("POST /api/pairing-codes", Some(&kiosk_code("nowhere")), ADMIN, 404),
        rule("GET /api/devices?outlet_id=1", None, &["manager@1", "admin"], 200),
        rule("GET /api/devices", None, &["manager@1", "manager@2", "admin"], 200),
        rule("GET /api/devices?outlet_id=nowhere", None, ADMIN, 200),
        rule("DELETE /api/devices/{device@1}", None, &["manager@1", "admin"], 200),
        rule("DELETE /api/devices/no-such-device", None, ADMIN, 404),
    ]
}

/// What the table's requests name, made on a fresh demo server, and the
/// credentials it is sent with.
struct Fixture {
    cast: Cast,
    names: HashMap<&'static str, String>,
    /// A token revoked through the API.
    revoked: String,
    /// An admin's login that has expired.
    expired: String,
    facts: MenuFacts,
    outlet_2: Value,
}

impl Fixture {
    async fn provision(server: &Server) -> Fixture {
        let (cast, _, revoked, expired) = tokio::join!(
            Cast::provision(server),
            server.token("kiosk", Some("1"), "kiosk to unpair"),
            server.revoked_token("1"),
            server.expired_token(),
        );
        let facts = menu_facts(server).await;
        let category = |id: &str| json!({"id": id, "name": "ACL", "sort_order": 80});
        let product = |id: &str| product_input(id, &facts, "ACL", 1_000);
        let promotion = |id: &str| promotion_input(id, &["acl-prod"], 10);
        // Rows to edit, and rows to delete that nothing refers to.
        for (kind, body) in [
            ("categories", category("acl-cat")),
            ("categories", category("acl-cat-x")),
            ("products", product("acl-prod")),
            ("products", product("acl-prod-x")),
            ("promotions", promotion("acl-promo")),
            ("promotions", promotion("acl-promo-x")),
        ] {
            written(server.post(&format!("/api/{kind}/"), &body).await);
        }
        let order_1 = server.place_ok(&order_body("1", &[("acl-prod", 1)])).await;
        let order_2 = server.place_ok(&order_body("2", &[("acl-prod", 1)])).await;
        let outlets: Vec<OutletInfo> = server.get("/api/outlets/").await.expect(200).json();
        let outlet_2 = outlets
            .into_iter()
            .find(|outlet| outlet.id == "2")
            .expect("demo outlet 2");
        let names = HashMap::from([
            ("order@1", order_1.id),
            ("order@2", order_2.id),
            ("key of order@2", order_2.client_order_id),
            ("device@1", server.device_id("kiosk to unpair").await),
            ("product", "acl-prod".to_owned()),
            ("doomed product", "acl-prod-x".to_owned()),
            ("category", "acl-cat".to_owned()),
            ("doomed category", "acl-cat-x".to_owned()),
            ("promotion", "acl-promo".to_owned()),
            ("doomed promotion", "acl-promo-x".to_owned()),
        ]);
        Fixture {
            cast,
            names,
            revoked,
            expired,
            facts,
            outlet_2: json!({
                "id": outlet_2.id, "name": outlet_2.name,
                "timezone": outlet_2.timezone, "currency": outlet_2.currency,
            }),
        }
    }

    fn contract(&self) -> Vec<Rule> {
        contract(&self.facts, &self.outlet_2)
    }

    /// `text` with every `{name}` replaced, `{fresh}` by a new id.
    fn fill(&self, text: &str) -> String {
        let mut text = text.replace("{fresh}", &uuid());
        for (name, value) in &self.names {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// `rule`'s path and a fresh body.
    fn request(&self, rule: &Rule) -> (String, Option<Value>) {
        let path = self.fill(rule.path);
        assert!(!path.contains('{'), "an unknown name in {path}");
        let body = rule.body.as_ref().map(|body| {
            serde_json::from_str(&self.fill(&body.to_string())).expect("a filled body is JSON")
        });
        (path, body)
    }

    /// Sends `rule` (filled in) with `authorization` as its raw
    /// `Authorization` header, or none.
    async fn send(&self, server: &Server, rule: &Rule, authorization: Option<&str>) -> Resp {
        let (path, body) = self.request(rule);
        let method = rule.method.clone();
        server
            .send_with(method, &path, body.as_ref(), authorization)
            .await
    }

    /// Sends `rule` as `who`, one of the cast.
    async fn send_as(&self, server: &Server, rule: &Rule, who: &str) -> Resp {
        let authorization = bearer(self.cast.token(who));
        self.send(server, rule, Some(&authorization)).await
    }

    /// Every way to present no valid credential: none, malformed, unknown,
    /// expired and revoked.
    fn not_credentials(&self) -> Vec<(&'static str, Option<String>)> {
        let admin = self.cast.token("admin");
        vec![
            ("no Authorization header", None),
            ("Basic credentials", Some("Basic a2lvc2s6c2VjcmV0".into())),
            ("the admin token as Basic", Some(format!("Basic {admin}"))),
            ("the admin token with no scheme", Some(admin.to_owned())),
            ("Bearer with no token", Some("Bearer".into())),
            ("Bearer and a space", Some("Bearer ".into())),
            ("an unknown token", Some(bearer(&unknown_token()))),
            ("an expired login", Some(bearer(&self.expired))),
            ("a revoked token", Some(bearer(&self.revoked))),
        ]
    }
}

/// The 401 and 403 bodies seen; each must be one and the same everywhere,
/// so no answer tells whether what was asked for exists.
#[derive(Default)]
struct Refusals {
    unauthorized: BTreeSet<String>,
    forbidden: BTreeSet<String>,
}

/// Sends `rule` with every bad credential (401), as every member of the
/// cast it does not name (403), then as every member it names.
async fn check(server: &Server, fixture: &Fixture, rule: &Rule, refusals: &mut Refusals) {
    let line = format!("{} {}", rule.method, rule.path);
    for (why, authorization) in fixture.not_credentials() {
        let resp = fixture.send(server, rule, authorization.as_deref()).await;
        assert_unauthorized(&resp, server, &format!("{line} with {why}"));
        refusals.unauthorized.insert(resp.text);
    }
    for who in CAST.iter().filter(|who| !rule.may.contains(who)) {
        let resp = fixture.send_as(server, rule, who).await;
        assert_forbidden(&resp, server, &format!("{line} as {who}"));
        refusals.forbidden.insert(resp.text);
    }
    for who in rule.may {
        let resp = fixture.send_as(server, rule, who).await;
        assert_eq!(resp.status, rule.answer, "{line} as {who}: {}", resp.text);
    }
}

#[tokio::test]
async fn every_endpoint_answers_every_caller_as_the_contract_says() {
    let server = Server::start().await;
    let fixture = Fixture::provision(&server).await;
    let mut refusals = Refusals::default();
    for rule in fixture.contract() {
        check(&server, &fixture, &rule, &mut refusals).await;
    }
    let Refusals {
        unauthorized,
        forbidden,
    } = refusals;
    assert!(
        unauthorized.len() == 1,
        "401 bodies differ: {unauthorized:?}"
    );
    assert!(forbidden.len() == 1, "403 bodies differ: {forbidden:?}");
    // Everyone but the admin sees only their own outlet.
    for who in &CAST[1..] {
        let (_, own) = who.split_once('@').expect("role@outlet");
        let outlets: Vec<OutletInfo> = server
            .send_as(fixture.cast.token(who), Method::GET, "/api/outlets/", None)
            .await
            .json();
        let ids: Vec<&str> = outlets.iter().map(|outlet| outlet.id.as_str()).collect();
        assert_eq!(ids, [own], "{who} sees {ids:?}");
    }
}

#[tokio::test]
async fn public_paths_answer_without_a_credential() {
    let server = Server::start().await;
    let stale = bearer(&unknown_token());
    // A stale credential must not lock a screen out of what needs none.
    for authorization in [None, Some(stale.as_str())] {
        let get = |path: &'static str| server.send_with(Method::GET, path, None, authorization);
        let health = get("/healthz").await.expect(200);
        assert_eq!(health.body["protocol"], 2, "{}", health.text);
        for page in ["/", "/pair?code=ABCDE-FGHJK", "/kitchen"] {
            assert_eq!(get(page).await.expect(200).text, INDEX_HTML, "{page}");
        }
        for file in ["/assets/app.js", HASHED_ASSET] {
            get(file).await.expect(200);
        }
    }
    // Pairing and login need no credential: what they are sent is judged,
    // and a bad code or password is what gets the 401.
    assert_unauthorized(
        &server.pair("ABCDE-FGHJK").await,
        &server,
        "an unknown code",
    );
    let login = server.login("nobody", "wrong password").await;
    assert_unauthorized(&login, &server, "an unknown person");
}
