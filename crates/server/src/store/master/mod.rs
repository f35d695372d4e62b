//! Master data (products, categories, promotions) in SQL: versioned writes
//! with tombstones, the paged sync query, and the change list a lagging
//! socket catches up from.
//!
//! Every write takes the next global master version from `meta` and stamps
//! the row with it, so "everything after version N" is one indexed range
//! query per table. Deletes keep the row as a tombstone (`deleted = 1`) with
//! its own version, so clients syncing from N learn about them too.

use serde::Serialize;
use ticketrail_protocol::ws::{
    CategoryDeleted, CategoryEvent, ProductDeleted, ProductEvent, PromotionDeleted, PromotionEvent,
};
use ticketrail_protocol::{
    Category, CategoryInput, MasterKind, Product, ProductInput, Promotion, PromotionInput,
    PromotionKind, ServerMessage, Timestamp,
};

mod read;
mod write;

use super::StoreError;

pub(super) use read::{changes_after, current_version, load_live, page};
pub(super) use write::apply;

/// A create or update body of one of the three kinds.
#[derive(Debug, Clone)]
pub enum MasterInput {
    /// A product body.
    Product(ProductInput),
    /// A category body.
    Category(CategoryInput),
    /// A promotion body.
    Promotion(PromotionInput),
}

/// One management write.
#[derive(Debug, Clone)]
pub enum MasterWrite {
    /// `POST`: create under the body's id, or one the server picks.
    Create(MasterInput),
    /// `PUT /{id}/`: replace a live row.
    Update {
        /// Row to replace.
        id: String,
        /// New contents (its own `id` field is ignored).
        input: MasterInput,
    },
    /// `DELETE /{id}/`: tombstone a live row.
    Delete {
        /// Kind of the row.
        kind: MasterKind,
        /// Row to delete.
        id: String,
    },
}

/// A stored row of any kind; serializes as the row itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MasterRow {
    /// A product.
    Product(Product),
    /// A category.
    Category(Category),
    /// A promotion.
    Promotion(Promotion),
}

impl MasterRow {
    /// The master version of the row's last change.
    pub fn version(&self) -> i64 {
        match self {
            Self::Product(row) => row.version,
            Self::Category(row) => row.version,
            Self::Promotion(row) => row.version,
        }
    }
}

/// What a write did; also what a change list reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterOutcome {
    /// A new row (or a tombstoned id brought back).
    Created(MasterRow),
    /// A live row replaced.
    Updated(MasterRow),
    /// A row tombstoned.
    Deleted {
        /// Kind of the row.
        kind: MasterKind,
        /// Its id.
        id: String,
        /// Master version of the deletion.
        version: i64,
        /// Server time of the deletion.
        at: Timestamp,
    },
}

/// A change as a lagging socket replays it (live rows as updates).
pub type MasterChange = MasterOutcome;

impl MasterOutcome {
    /// The master version this change was stamped with.
    pub fn version(&self) -> i64 {
        match self {
            Self::Created(row) | Self::Updated(row) => row.version(),
            Self::Deleted { version, .. } => *version,
        }
    }

    /// The WebSocket event announcing this change (`product:updated`, ...).
    pub fn message(&self) -> ServerMessage {
        match self {
            Self::Created(MasterRow::Product(p)) => ServerMessage::ProductCreated(product_event(p)),
            Self::Updated(MasterRow::Product(p)) => ServerMessage::ProductUpdated(product_event(p)),
            Self::Created(MasterRow::Category(c)) => {
                ServerMessage::CategoryCreated(category_event(c))
            }
            Self::Updated(MasterRow::Category(c)) => {
                ServerMessage::CategoryUpdated(category_event(c))
            }
            Self::Created(MasterRow::Promotion(p)) => {
                ServerMessage::PromotionCreated(promotion_event(p))
            }
            Self::Updated(MasterRow::Promotion(p)) => {
                ServerMessage::PromotionUpdated(promotion_event(p))
            }
            Self::Deleted {
                kind,
                id,
                version,
                at,
            } => {
                let (version, id, timestamp) = (*version, id.clone(), *at);
                match kind {
                    MasterKind::Products => ServerMessage::ProductDeleted(ProductDeleted {
                        version,
                        product_id: id,
                        timestamp,
                    }),
                    MasterKind::Categories => ServerMessage::CategoryDeleted(CategoryDeleted {
                        version,
                        category_id: id,
                        timestamp,
                    }),
                    MasterKind::Promotions => ServerMessage::PromotionDeleted(PromotionDeleted {
                        version,
                        promotion_id: id,
                        timestamp,
                    }),
                }
            }
        }
    }
}

fn product_event(product: &Product) -> ProductEvent {
    ProductEvent {
        version: product.version,
        product: product.clone(),
        timestamp: product.updated_at,
    }
}

fn category_event(category: &Category) -> CategoryEvent {
    CategoryEvent {
        version: category.version,
        category: category.clone(),
        timestamp: category.updated_at,
    }
}

fn promotion_event(promotion: &Promotion) -> PromotionEvent {
    PromotionEvent {
        version: promotion.version,
        promotion: promotion.clone(),
        timestamp: promotion.updated_at,
    }
}

impl MasterInput {
    fn kind(&self) -> MasterKind {
        match self {
            Self::Product(_) => MasterKind::Products,
            Self::Category(_) => MasterKind::Categories,
            Self::Promotion(_) => MasterKind::Promotions,
        }
    }

    fn requested_id(&self) -> Option<&str> {
        match self {
            Self::Product(input) => input.id.as_deref(),
            Self::Category(input) => input.id.as_deref(),
            Self::Promotion(input) => input.id.as_deref(),
        }
    }

    fn into_row(self, id: String, version: i64, now: Timestamp) -> MasterRow {
        match self {
            Self::Product(input) => MasterRow::Product(Product {
                id,
                name: input.name,
                translations: input.translations,
                description: input.description,
                category_id: input.category_id,
                price: input.price,
                currency: input.currency,
                image_url: input.image_url,
                is_active: input.is_active,
                station: input.station,
                version,
                updated_at: now,
            }),
            Self::Category(input) => MasterRow::Category(Category {
                id,
                name: input.name,
                translations: input.translations,
                sort_order: input.sort_order,
                version,
                updated_at: now,
            }),
            Self::Promotion(input) => MasterRow::Promotion(Promotion {
                id,
                name: input.name,
                translations: input.translations,
                product_ids: input.product_ids,
                kind: input.kind,
                value: input.value,
                starts_at: input.starts_at,
                ends_at: input.ends_at,
                version,
                updated_at: now,
            }),
        }
    }
}

pub(super) fn table(kind: MasterKind) -> &'static str {
    match kind {
        MasterKind::Products => "products",
        MasterKind::Categories => "categories",
        MasterKind::Promotions => "promotions",
    }
}

/// Prefix of server-picked ids: `p-12`, `c-3`, `promo-2`.
pub(super) fn id_prefix(kind: MasterKind) -> &'static str {
    match kind {
        MasterKind::Products => "p",
        MasterKind::Categories => "c",
        MasterKind::Promotions => "promo",
    }
}

pub(super) fn kind_to_db(kind: PromotionKind) -> &'static str {
    match kind {
        PromotionKind::PercentOff => "percent_off",
        PromotionKind::AmountOff => "amount_off",
    }
}

pub(super) fn kind_from_db(text: &str) -> Result<PromotionKind, StoreError> {
    match text {
        "percent_off" => Ok(PromotionKind::PercentOff),
        "amount_off" => Ok(PromotionKind::AmountOff),
        other => Err(StoreError::Corrupt(format!("promotion kind {other:?}"))),
    }
}
