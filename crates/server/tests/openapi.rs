//! The OpenAPI document, black-box: `GET /api/openapi.json` answers
//! without a credential with well-formed OpenAPI 3.1; every route the
//! server's route table registers is documented and every documented
//! operation is answered by its handler; the schemas say what clients rely
//! on; and real answers and socket frames match the schemas documented for
//! them ([`conform`]).

mod util;

#[path = "openapi/conform.rs"]
mod conform;

use std::collections::{BTreeMap, BTreeSet};

use oas3::spec::{ObjectOrReference, ObjectSchema, Operation, SecurityScheme};
use oas3::Spec;
use reqwest::Method;
use serde_json::{json, Value};
use ticketrail_server::routes::{twin, Route};
use util::{order_body, Resp, Server, Ws};

/// The document as the server serves it to a client without a credential,
/// typed and as plain JSON.
async fn document(server: &Server) -> (Spec, Value) {
    let anonymous = util::server::client(None);
    let resp = server
        .send(anonymous.get(server.url("/api/openapi.json")))
        .await
        .expect(200);
    assert_eq!(resp.content_type, "application/json");
    let spec = oas3::from_json(&resp.text).expect("the document parses as OpenAPI 3.1");
    (spec, resp.body)
}

/// The schema of `path`'s `method` operation's `status` JSON answer.
fn answer_schema(
    spec: &Spec,
    method: Method,
    path: &str,
    status: u16,
) -> ObjectOrReference<ObjectSchema> {
    let operation = spec
        .operation(&method, path)
        .unwrap_or_else(|| panic!("{method} {path} is documented"));
    let responses = operation.responses(spec);
    let response = responses
        .get(&status.to_string())
        .unwrap_or_else(|| panic!("{method} {path} documents {status}"));
    response.content["application/json"]
        .schema
        .clone()
        .unwrap_or_else(|| panic!("{method} {path} {status} has a JSON schema"))
}

/// Asserts that `body` matches the documented answer `status` of `method path`.
fn assert_documented(spec: &Spec, method: Method, path: &str, status: u16, body: &Value) {
    let schema = answer_schema(spec, method.clone(), path, status);
    let found = conform::mismatches(spec, &schema, body, "$");
    assert!(
        found.is_empty(),
        "{method} {path} {status} does not match its schema:\n{}\nbody: {body}",
        found.join("\n")
    );
}

/// A `$ref` to the named component schema.
fn component_ref(name: &str) -> ObjectOrReference<ObjectSchema> {
    ObjectOrReference::Ref {
        ref_path: format!("#/components/schemas/{name}"),
    }
}

/// The named component schema, resolved.
fn component(spec: &Spec, name: &str) -> ObjectSchema {
    component_ref(name)
        .resolve(spec)
        .unwrap_or_else(|e| panic!("component {name}: {e}"))
}

/// Every `$ref` in `value`.
fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target.clone());
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_public_and_well_formed_openapi_3_1() {
    let server = Server::start().await;
    let (spec, raw) = document(&server).await;
    let version = spec.validate_version().expect("a valid OpenAPI version");
    assert_eq!((version.major, version.minor), (3, 1));
    assert_eq!(spec.info.title, "Ticketrail outlet API");
    assert_eq!(spec.info.version, env!("CARGO_PKG_VERSION"));

    let mut ids = BTreeSet::new();
    for (path, method, operation) in spec.operations() {
        let id = operation.operation_id.clone();
        let id = id.unwrap_or_else(|| panic!("{method} {path} has an operationId"));
        assert!(ids.insert(id.clone()), "operationId {id} is used twice");
        assert!(
            operation.summary.as_deref().is_some_and(|s| !s.is_empty()),
            "{method} {path} has a summary"
        );
    }
    let mut targets = Vec::new();
    refs(&raw, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target} points into the document's schemas"));
        component(&spec, name);
    }
    let bearer = spec.security.iter().any(|r| r.0.contains_key("bearer"));
    assert!(
        bearer,
        "the document asks for a bearer credential by default"
    );
    let components = spec.components.as_ref().expect("components");
    match components.security_schemes.get("bearer") {
        Some(ObjectOrReference::Object(SecurityScheme::Http { scheme, .. })) => {
            assert_eq!(scheme, "bearer")
        }
        other => panic!("the bearer scheme is HTTP bearer: {other:?}"),
    }
}

/// Whether an operation is public: it overrides the document's bearer
/// requirement with an empty one.
fn is_public(operation: &Operation) -> bool {
    !operation.security.is_empty() && operation.security.iter().all(|r| r.0.is_empty())
}

#[tokio::test]
async fn every_served_route_is_documented_and_every_documented_one_is_served() {
    let server = Server::start().await;
    let (spec, _) = document(&server).await;
    // Method and path of each operation, and whether it is public.
    let documented: BTreeMap<(String, String), bool> = spec
        .operations()
        .map(|(path, method, operation)| ((method.to_string(), path), is_public(operation)))
        .collect();
    let served = ticketrail_server::route_table().served();

    // The route table is the document plus each /api and /ws path's twin,
    // each once.
    let table: Vec<(String, String)> = served
        .iter()
        .map(|route| (route.method.to_owned(), route.path.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = documented
        .keys()
        .flat_map(|(method, path)| {
            std::iter::once(path.clone())
                .chain(twin(path))
                .map(move |path| (method.clone(), path))
        })
        .collect();
    assert_eq!(
        table,
        Vec::from_iter(expected),
        "served routes vs the document"
    );

    // Each one is answered by its handler: PATCH (which no route takes) on
    // its path gets the router's 405, not the PWA's 404; and its own method
    // without a credential (so nothing changes) gets past the method check,
    // to 401 exactly where the document asks for a credential.
    let anonymous = util::server::client(None);
    let probe = |method: Method, path: &str| {
        let url = server.url(&path.replace('{', "x-").replace('}', ""));
        server.send(anonymous.request(method, url))
    };
    assert_eq!(probe(Method::PATCH, "/api/nothing").await.status, 404);
    for Route { method, path } in &served {
        assert_ne!(*method, "PATCH");
        let resp: Resp = probe(Method::PATCH, path).await;
        assert_eq!(resp.status, 405, "PATCH {path}: {}", resp.text);
        let spelled = documented
            .keys()
            .find(|(m, p)| m == method && (p == path || twin(p).as_ref() == Some(path)))
            .expect("a documented operation");
        let public = documented[spelled];
        let resp = probe(Method::from_bytes(method.as_bytes()).unwrap(), path).await;
        assert_ne!(resp.status, 405, "{method} {path}: {}", resp.text);
        assert_eq!(
            resp.status == 401,
            !public,
            "{method} {path}: {}",
            resp.text
        );
    }
    let public: BTreeSet<&str> = documented
        .iter()
        .filter(|(_, public)| **public)
        .map(|((_, path), _)| path.as_str())
        .collect();
    assert_eq!(
        public,
        BTreeSet::from([
            "/api/auth/login",
            "/api/devices/pair",
            "/api/openapi.json",
            "/api/setup",
            "/ca.pem",
            "/healthz",
            "/ws/outlet/{outlet_id}/",
        ]),
        "the contract's public routes"
    );
}

#[tokio::test]
async fn the_schemas_say_what_clients_rely_on() {
    let server = Server::start().await;
    let (spec, raw) = document(&server).await;
    let schemas = &raw["components"]["schemas"];

    // Money is integer minor units, never a float; times are RFC 3339.
    let money = ("integer", "int64");
    let time = ("string", "date-time");
    for (schema, field, (kind, format)) in [
        ("Order", "total_amount", money),
        ("OrderItem", "unit_price", money),
        ("OrderItem", "line_total", money),
        ("Product", "price", money),
        ("Order", "placed_at", time),
        ("Order", "created_at", time),
        ("Product", "updated_at", time),
        ("LoginSession", "expires_at", time),
    ] {
        let property = &schemas[schema]["properties"][field];
        assert_eq!(property["type"], kind, "{schema}.{field}: {property}");
        assert_eq!(property["format"], format, "{schema}.{field}: {property}");
    }
    // Answers always carry their nullable fields.
    let session = component(&spec, "LoginSession");
    assert!(session.required.contains(&"outlet_id".to_owned()));
    assert_eq!(
        schemas["Product"]["properties"]["image_url"]["type"],
        json!(["string", "null"])
    );

    // The error body, and the codes the contract names.
    let body = component(&spec, "ErrorBody");
    assert_eq!(body.required, ["error"]);
    let detail = component(&spec, "ErrorDetail");
    assert_eq!(detail.required, ["code", "message"]);
    let codes = component(&spec, "ErrorCode").enum_values;
    for code in [
        "bad_request",
        "not_found",
        "unknown_product",
        "invalid_quantity",
        "invalid_transition",
        "payload_too_large",
        "unsupported_media_type",
        "unauthorized",
        "forbidden",
        "rate_limited",
    ] {
        assert!(codes.contains(&json!(code)), "{code} in {codes:?}");
    }
    // Every error answer is that body, but `/ca.pem`'s 404 (the PWA's page).
    for (path, method, operation) in spec.operations() {
        for (status, response) in operation.responses(&spec) {
            if status.starts_with('2') || status == "101" || (path == "/ca.pem" && status == "404")
            {
                continue;
            }
            let schema = response
                .content
                .get("application/json")
                .and_then(|m| m.schema.clone());
            assert!(
                matches!(&schema, Some(ObjectOrReference::Ref { ref_path, .. })
                    if ref_path == "#/components/schemas/ErrorBody"),
                "{method} {path} {status}: {schema:?}"
            );
        }
        if operation
            .security
            .iter()
            .any(|r| r.0.contains_key("bearer"))
        {
            assert!(
                operation.responses(&spec).contains_key("401"),
                "{method} {path}"
            );
        }
    }

    // The socket's frames, tagged by `type` as on the wire.
    let tags = |name: &str| -> BTreeSet<String> {
        let branches = schemas[name]["oneOf"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        branches
            .iter()
            .filter_map(|branch| {
                // A variant wrapping a struct is `allOf: [struct, {type}]`.
                let tagged = branch["allOf"].get(1).unwrap_or(branch);
                tagged["properties"]["type"]["enum"][0]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    };
    assert_eq!(
        tags("ClientMessage"),
        BTreeSet::from(["auth".into(), "ping".into()])
    );
    let server_tags = tags("ServerMessage");
    for tag in [
        "connected",
        "new_order",
        "order_updated",
        "kitchen_status_changed",
        "order_completed",
        "order_cancelled",
        "product:created",
        "product:updated",
        "product:deleted",
        "category:deleted",
        "promotion:updated",
        "pong",
        "error",
    ] {
        assert!(server_tags.contains(tag), "{tag} in {server_tags:?}");
    }
}

#[tokio::test]
async fn answers_and_socket_frames_match_their_documented_schemas() {
    let server = Server::start().await;
    let (spec, _) = document(&server).await;
    assert_documented(
        &spec,
        Method::GET,
        "/healthz",
        200,
        &server.get("/healthz").await.expect(200).body,
    );
    for kind in ["products", "categories", "promotions"] {
        let path = format!("/api/{kind}/");
        let page = server
            .get(&format!("{path}?since_version=0"))
            .await
            .expect(200);
        assert_documented(&spec, Method::GET, &path, 200, &page.body);
    }
    let outlets = server.get("/api/outlets/").await.expect(200);
    assert_documented(&spec, Method::GET, "/api/outlets/", 200, &outlets.body);
    let devices = server.get("/api/devices").await.expect(200);
    assert_documented(&spec, Method::GET, "/api/devices", 200, &devices.body);

    let (mut ws, connected) = Ws::connect_ready(&server, "1", None).await;
    let menu = server.orderable(1).await;
    let placed = server
        .place(&order_body("1", &[(&menu[0].id, 2)]))
        .await
        .expect(201);
    assert_documented(&spec, Method::POST, "/api/orders/", 201, &placed.body);
    let feed = server
        .get("/api/orders/?outlet_id=1&since_id=0")
        .await
        .expect(200);
    assert_documented(&spec, Method::GET, "/api/orders/", 200, &feed.body);
    let new_order = ws.next_value().await;
    let pong = ws.ping().await;
    let frames = component_ref("ServerMessage");
    for frame in [connected, new_order, pong] {
        let found = conform::mismatches(&spec, &frames, &frame, "$");
        assert!(found.is_empty(), "{frame}:\n{}", found.join("\n"));
    }

    let missing_outlet = server.get("/api/orders/").await.expect(400);
    assert_documented(
        &spec,
        Method::GET,
        "/api/orders/",
        400,
        &missing_outlet.body,
    );
    let unknown = server
        .place(&order_body("1", &[("no-such-product", 1)]))
        .await;
    let unknown = unknown.expect(422);
    assert_documented(&spec, Method::POST, "/api/orders/", 422, &unknown.body);
}
