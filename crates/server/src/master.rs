//! The menu API: `/api/products/`, `/api/categories/`, `/api/promotions/`.
//!
//! The three kinds behave alike (paged sync by master version, create,
//! update, delete), so one set of generic handlers serves all of them,
//! parameterised by a `Kind` that names the body type and its validation.
//! Each kind's routes are thin wrappers over them that carry the kind's
//! OpenAPI operations (`kind_routes!`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ticketrail_protocol::validate::{
    validate_category_input, validate_id, validate_product_input, validate_promotion_input,
    InputError,
};
use ticketrail_protocol::{
    Category, CategoryInput, ErrorBody, MasterKind, Page, Product, ProductInput, Promotion,
    PromotionInput,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::access::{Action, Caller};
use crate::error::AppError;
use crate::extract::{non_negative, ApiJson, ApiPath, ApiQuery};
use crate::routes::Routes;
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

/// Routes of the three kinds.
pub fn router() -> Routes {
    products::routes()
        .merge(categories::routes())
        .merge(promotions::routes())
}

/// The documented routes of one kind: a module of thin wrappers over the
/// generic handlers, since an OpenAPI operation names one path and one body
/// type. Roles: any credential may read the menu; only an `admin` writes it.
macro_rules! kind_routes {
    ($module:ident, $kind:ident, $row:ident, $input:ident, $noun:tt, $one:tt, $collection:tt, $member:tt) => {
        #[doc = concat!("The routes of ", $noun, ".")]
        mod $module {
            use super::*;

            /// This kind's routes.
            pub fn routes() -> Routes {
                Routes::default()
                    .route(routes!(list, create))
                    .route(routes!(update, remove))
            }

            /// One page of the sync.
            #[utoipa::path(
                get,
                path = $collection,
                tag = "menu",
                operation_id = concat!("list_", $noun),
                summary = concat!("The ", $noun, " changed since a master version."),
                description = "Roles: all. Rows changed after `since_version`, ascending by \
                    version, and the ids deleted in the same window.",
                params(PageQuery),
                responses(
                    (status = 200, description = "One page.", body = Page<$row>),
                    (status = 400, description = "`since_version` or `limit` is out of range: `bad_request`.", body = ErrorBody),
                ),
            )]
            async fn list(
                state: State<AppState>,
                caller: Caller,
                query: ApiQuery<PageQuery>,
            ) -> Result<impl IntoResponse, AppError> {
                super::list::<$kind>(state, caller, query).await
            }

            /// A management write: create.
            #[utoipa::path(
                post,
                path = $collection,
                tag = "menu",
                operation_id = concat!("create_", $one),
                summary = concat!("Creates a ", $one, "."),
                description = "Roles: `admin`. The server picks the id when the body has none.",
                request_body = $input,
                responses(
                    (status = 201, description = "The new row.", body = $row),
                    (status = 403, description = "Not an `admin`: `forbidden`.", body = ErrorBody),
                    (status = 409, description = "A row with this id exists: `conflict`.", body = ErrorBody),
                ),
            )]
            async fn create(
                state: State<AppState>,
                caller: Caller,
                input: ApiJson<$input>,
            ) -> Result<impl IntoResponse, AppError> {
                super::create::<$kind>(state, caller, input).await
            }

            /// A management write: update.
            #[utoipa::path(
                put,
                path = $member,
                tag = "menu",
                operation_id = concat!("update_", $one),
                summary = concat!("Replaces a ", $one, "."),
                description = "Roles: `admin`. A body `id` is ignored.",
                params(("id" = String, Path, description = "The row's id.")),
                request_body = $input,
                responses(
                    (status = 200, description = "The row after the change.", body = $row),
                    (status = 403, description = "Not an `admin`: `forbidden`.", body = ErrorBody),
                    (status = 404, description = "No such row: `not_found`.", body = ErrorBody),
                ),
            )]
            async fn update(
                state: State<AppState>,
                caller: Caller,
                id: ApiPath<String>,
                input: ApiJson<$input>,
            ) -> Result<impl IntoResponse, AppError> {
                super::update::<$kind>(state, caller, id, input).await
            }

            /// A management write: delete.
            #[utoipa::path(
                delete,
                path = $member,
                tag = "menu",
                operation_id = concat!("delete_", $one),
                summary = concat!("Deletes a ", $one, "."),
                description = "Roles: `admin`. Leaves a tombstone that the sync reports in `deleted`.",
                params(("id" = String, Path, description = "The row's id.")),
                responses(
                    (status = 200, description = "The master version of the deletion.", body = Deleted),
                    (status = 400, description = "The id is malformed: `bad_request`.", body = ErrorBody),
                    (status = 403, description = "Not an `admin`: `forbidden`.", body = ErrorBody),
                    (status = 404, description = "No such row: `not_found`.", body = ErrorBody),
                    (status = 409, description = "A category that still has products: `conflict`.", body = ErrorBody),
                ),
            )]
            async fn remove(
                state: State<AppState>,
                caller: Caller,
                id: ApiPath<String>,
            ) -> Result<impl IntoResponse, AppError> {
                super::remove::<$kind>(state, caller, id).await
            }
        }
    };
}

kind_routes!(
    products,
    Products,
    Product,
    ProductInput,
    "products",
    "product",
    "/api/products/",
    "/api/products/{id}/"
);
kind_routes!(
    categories,
    Categories,
    Category,
    CategoryInput,
    "categories",
    "category",
    "/api/categories/",
    "/api/categories/{id}/"
);
kind_routes!(
    promotions,
    Promotions,
    Promotion,
    PromotionInput,
    "promotions",
    "promotion",
    "/api/promotions/",
    "/api/promotions/{id}/"
);

/// `?since_version=N&limit=L`, both optional; parsed by hand for clear errors.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// The master version the client has; 0 (the default) for a full
    /// download.
    #[param(value_type = Option<i64>, minimum = 0)]
    since_version: Option<String>,
    /// Most rows in the page; the default and the cap are 5000.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 5000)]
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
#[derive(Debug, Serialize, ToSchema)]
struct Deleted {
    /// The master version of the deletion.
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
