//! The OpenAPI document of the app listener, served as
//! `GET /api/openapi.json` without a credential: it describes the API and
//! holds no secret.
//!
//! The operations come from the route table ([`crate::route_table`]), so the
//! document lists exactly what is served; the schemas from the wire types
//! of `ticketrail-protocol` (its `openapi` feature). Here it gets its info,
//! the bearer scheme, the socket's message schemas, and the answers that
//! every operation of a kind can give (`add_common_answers`), which the
//! handlers' annotations therefore leave out.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use ticketrail_protocol::{ClientMessage, ErrorBody, ServerMessage};
use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Type};
use utoipa::OpenApi as _;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::routes::{operations, Routes};

/// Info, tags and the schemas no operation names.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Ticketrail outlet API",
        description = "The HTTP API of one Ticketrail outlet server. The wire contract is \
`PROTOCOL.md` v2; `docs/api.md` says what the server adds beyond it.\n\n\
Every path under `/api/` and `/ws/` is also served with its trailing slash added or \
dropped. Every answer that is not 2xx has an `ErrorBody`; clients branch on its \
`error.code`. A request with a credential sends `Authorization: Bearer <token>`: a \
paired screen's token or a login session. Each operation names the roles that may call \
it; every role but `admin` is bound to one outlet, and a 404 that would tell whether \
something exists is given to an `admin` only (anyone else gets 403).\n\n\
The outlet socket is `GET /ws/outlet/{outlet_id}/`; its frames are the `ClientMessage` \
and `ServerMessage` schemas.\n\n\
With `--http-listen` a second, plain-HTTP listener serves the trust page (`/trust`, `/`), \
`/ca.pem` and `/healthz`, and redirects everything else to HTTPS; it is not described here."
    ),
    components(schemas(ErrorBody, ClientMessage, ServerMessage)),
    security(("bearer" = [])),
    tags(
        (name = "menu", description = "Products, categories and promotions: sync and management writes."),
        (name = "orders", description = "Placing orders, the kitchen workflow and the polling feed."),
        (name = "socket", description = "The outlet WebSocket."),
        (name = "outlets", description = "Outlets and their staff PIN."),
        (name = "devices", description = "Pairing screens, the device list and revocation."),
        (name = "sign-in", description = "People's sign-in and sign-out."),
        (name = "setup", description = "The first run of a server nobody can sign in to."),
        (name = "server", description = "Health, the local CA and this document."),
    )
)]
struct ApiDoc;

/// The name of the bearer security scheme the operations refer to.
const BEARER: &str = "bearer";

/// The whole document.
pub fn document() -> OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(crate::route_table().into_document());
    let components = document.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    add_common_answers(&mut document);
    document
}

/// The document as JSON, made on first use.
static DOCUMENT: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    serde_json::to_vec(&document())
        .map(Bytes::from)
        .map_err(|error| error.to_string())
});

/// This document's route.
pub fn router() -> Routes {
    Routes::default().route(routes!(openapi_json))
}

/// This document.
///
/// Public: it describes the API and holds no secret.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "server",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object))
)]
async fn openapi_json() -> Result<Response, AppError> {
    let json = DOCUMENT
        .as_ref()
        .map_err(|error| AppError::Internal(format!("the OpenAPI document: {error}")))?;
    let content_type = HeaderValue::from_static("application/json");
    Ok(([(CONTENT_TYPE, content_type)], json.clone()).into_response())
}

/// The answers of every operation behind a credential: from
/// [`crate::access::Caller`], and from reading the credential in the
/// database, which closes first when the server stops.
const BEHIND_CREDENTIAL: [(u16, &str); 2] = [
    (401, "No, a malformed, unknown, expired or revoked credential: `unauthorized`, with `WWW-Authenticate: Bearer`."),
    (503, "The server is shutting down: `internal`."),
];

/// The answers of every operation with a JSON body, from
/// [`crate::extract::ApiJson`].
const WITH_BODY: [(u16, &str); 3] = [
    (
        400,
        "The body is not JSON of this shape, or breaks a field rule: `bad_request`.",
    ),
    (413, "The body is over 1 MiB: `payload_too_large`."),
    (
        415,
        "The body is not `application/json`: `unsupported_media_type`.",
    ),
];

/// The answer any operation can give: a panic is caught and answered so.
const ANYWHERE: (u16, &str) = (
    500,
    "Something failed inside the server: `internal`; the details are in its log only.",
);

/// Adds to each operation the answers of its kind ([`BEHIND_CREDENTIAL`],
/// [`WITH_BODY`], [`ANYWHERE`]) that its annotation does not describe
/// itself. Every operation is behind the document's bearer requirement
/// unless it says `security(())`, as the public ones do.
fn add_common_answers(document: &mut OpenApi) {
    let public = SecurityRequirement::default();
    for item in document.paths.paths.values_mut() {
        for (_, operation) in operations(item) {
            let needs_credential = match &operation.security {
                None => true,
                Some(requirements) => requirements.iter().any(|r| *r != public),
            };
            let mut answers = vec![ANYWHERE];
            if needs_credential {
                answers.extend(BEHIND_CREDENTIAL);
            }
            if operation.request_body.is_some() {
                answers.extend(WITH_BODY);
            }
            for (status, description) in answers {
                answer(operation, status, description);
            }
        }
    }
}

/// Adds an error answer with `status` to `operation`, unless it has one.
fn answer(operation: &mut Operation, status: u16, description: &str) {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/json", body);
    if status == 401 {
        let scheme = ObjectBuilder::new().schema_type(Type::String);
        response = response.header("WWW-Authenticate", Header::new(scheme));
    }
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::T(response.build()));
}
