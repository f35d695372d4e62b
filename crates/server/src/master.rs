//! The menu API: `/api/products/`, `/api/categories/`, `/api/promotions/`.
//!
//! The three kinds behave alike (paged sync by master version, create,
//! update, delete), so one set of generic handlers serves all of them,
//! parameterised by a `Kind` that names the body type and its validation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ticketrail_protocol::validate::{
    validate_category_input, validate_id, validate_product_input, validate_promotion_input,
    InputError,
};
use ticketrail_protocol::{CategoryInput, MasterKind, ProductInput, PromotionInput};

use crate::access::{Action, Caller};
use crate::error::AppError;
use crate::extract::{non_negative, ApiJson, ApiPath, ApiQuery};
use crate::store::{MasterInput, MasterOutcome, MasterWrite};
use crate::AppState;

/// Largest page a client may ask for; also the default page size.
pub const MAX_PAGE: u32 = 5000;

/// One kind of master data as the API sees it.
trait Kind: Send + Sync + 'static {
    const KIND: MasterKind;
    /// The create/update body.
    type Input: DeserializeOwned + Send + 'static;
    fn validate(input: &Self::Input) -> Result<(), InputError>;
    fn wrap(input: Self::Input) -> MasterInput;
}

struct Products;
struct Categories;
struct Promotions;

impl Kind for Products {
    const KIND: MasterKind = MasterKind::Products;
    type Input = ProductInput;
    fn validate(input: &ProductInput) -> Result<(), InputError> {
        validate_product_input(input)
    }
    fn wrap(input: ProductInput) -> MasterInput {
        MasterInput::Product(input)
    }
}

impl Kind for Categories {
    const KIND: MasterKind = MasterKind::Categories;
    type Input = CategoryInput;
    fn validate(input: &CategoryInput) -> Result<(), InputError> {
        validate_category_input(input)
    }
    fn wrap(input: CategoryInput) -> MasterInput {
        MasterInput::Category(input)
    }
}

impl Kind for Promotions {
    const KIND: MasterKind = MasterKind::Promotions;
    type Input = PromotionInput;
    fn validate(input: &PromotionInput) -> Result<(), InputError> {
        validate_promotion_input(input)
    }
    fn wrap(input: PromotionInput) -> MasterInput {
        MasterInput::Promotion(input)
    }
}

/// Routes of the three kinds, with and without the trailing slash.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(routes::<Products>("products"))
        .merge(routes::<Categories>("categories"))
        .merge(routes::<Promotions>("promotions"))
}

fn routes<K: Kind>(name: &str) -> Router<AppState> {
    let collection = get(list::<K>).post(create::<K>);
    let member = put(update::<K>).delete(remove::<K>);
    Router::new()
        .route(&format!("/api/{name}/"), collection.clone())
        .route(&format!("/api/{name}"), collection)
        .route(&format!("/api/{name}/{{id}}/"), member.clone())
        .route(&format!("/api/{name}/{{id}}"), member)
}

/// `?since_version=N&limit=L`, both optional; parsed by hand for clear errors.
#[derive(Debug, Deserialize)]
struct PageQuery {
    since_version: Option<String>,
    limit: Option<String>,
}

async fn list<K: Kind>(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<impl IntoResponse, AppError> {
    caller.authorize(Action::ReadMenu, None)?;
    let since = non_negative("since_version", query.since_version.as_deref())?.unwrap_or(0);
    let limit = match query.limit.as_deref() {
        None => MAX_PAGE,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n >= 1 => u32::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE),
            _ => {
                return Err(AppError::BadRequest(
                    "limit must be a positive integer".into(),
                ))
            }
        },
    };
    let page = state.store.page(K::KIND, since, limit).await?;
    state
        .counters
        .master_page(K::KIND, since == 0, page.items.len(), page.deleted.len());
    Ok(Json(page))
}

async fn create<K: Kind>(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<K::Input>,
) -> Result<impl IntoResponse, AppError> {
    caller.authorize(Action::ManageMenu, None)?;
    K::validate(&input)?;
    let outcome = state
        .store
        .write_master(MasterWrite::Create(K::wrap(input)))
        .await?;
    Ok((StatusCode::CREATED, Json(saved_row(outcome)?)))
}

async fn update<K: Kind>(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<K::Input>,
) -> Result<impl IntoResponse, AppError> {
    caller.authorize(Action::ManageMenu, None)?;
    validate_id("id", &id)?;
    K::validate(&input)?;
    let write = MasterWrite::Update {
        id,
        input: K::wrap(input),
    };
    let outcome = state.store.write_master(write).await?;
    Ok(Json(saved_row(outcome)?))
}

/// Answer of a delete: the master version it was stamped with.
#[derive(Debug, Serialize)]
struct Deleted {
    version: i64,
}

async fn remove<K: Kind>(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<impl IntoResponse, AppError> {
    caller.authorize(Action::ManageMenu, None)?;
    validate_id("id", &id)?;
    let outcome = state
        .store
        .write_master(MasterWrite::Delete { kind: K::KIND, id })
        .await?;
    Ok(Json(Deleted {
        version: outcome.version(),
    }))
}

/// The row a create or update produced.
fn saved_row(outcome: MasterOutcome) -> Result<crate::store::MasterRow, AppError> {
    match outcome {
        MasterOutcome::Created(row) | MasterOutcome::Updated(row) => Ok(row),
        MasterOutcome::Deleted { .. } => {
            Err(AppError::Internal("a save reported a deletion".into()))
        }
    }
}
