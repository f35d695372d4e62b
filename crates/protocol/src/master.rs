//! Master data (the menu): products, categories and promotions, each stamped
//! with the master version of its last change, and the paged sync answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// Translated names keyed by BCP 47 language tag (`"id"`, `"ar"`); the
/// plain `name` field is the English one.
pub type Translations = BTreeMap<String, String>;

/// A product on the menu. Prices are integer minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// Stable id, e.g. `"p-17"`.
    pub id: String,
    /// English name.
    pub name: String,
    /// Names in other languages.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>, required = true))]
    pub translations: Translations,
    /// Short description for the kiosk (English); may be empty.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub description: String,
    /// The category the product is listed under.
    pub category_id: String,
    /// Price in minor units (ISO 4217 exponent of `currency`); never a float.
    pub price: i64,
    /// ISO 4217 currency code, e.g. `"IDR"`.
    pub currency: String,
    /// Picture for the kiosk, if any.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub image_url: Option<String>,
    /// Inactive products cannot be ordered and are hidden by the kiosk.
    pub is_active: bool,
    /// Kitchen station that prepares it, e.g. `"grill"`.
    pub station: String,
    /// Master version of the last change to this row.
    pub version: i64,
    /// Server time of the last change.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// A menu category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// Stable id, e.g. `"c-3"`.
    pub id: String,
    /// English name.
    pub name: String,
    /// Names in other languages.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>, required = true))]
    pub translations: Translations,
    /// Position on the category rail, ascending.
    pub sort_order: i32,
    /// Master version of the last change to this row.
    pub version: i64,
    /// Server time of the last change.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// How a promotion changes a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PromotionKind {
    /// `value` percent off the unit price (0..=100).
    PercentOff,
    /// `value` minor units off the unit price, never below zero.
    AmountOff,
}

/// A time-boxed discount on some products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promotion {
    /// Stable id, e.g. `"promo-1"`.
    pub id: String,
    /// English name shown to customers.
    pub name: String,
    /// Names in other languages.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>, required = true))]
    pub translations: Translations,
    /// Products the discount applies to.
    pub product_ids: Vec<String>,
    /// Percent or amount off.
    pub kind: PromotionKind,
    /// Percent (0..=100) or minor units, depending on `kind`.
    pub value: i64,
    /// First instant the promotion applies (inclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: Timestamp,
    /// Instant the promotion stops applying (exclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ends_at: Timestamp,
    /// Master version of the last change to this row.
    pub version: i64,
    /// Server time of the last change.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// The three kinds of master data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MasterKind {
    /// `/api/products/`.
    Products,
    /// `/api/categories/`.
    Categories,
    /// `/api/promotions/`.
    Promotions,
}

impl MasterKind {
    /// All kinds, in the order a client syncs them.
    pub const ALL: [MasterKind; 3] = [Self::Categories, Self::Products, Self::Promotions];

    /// The singular noun used in event types (`product:updated`) and id fields
    /// (`product_id`).
    pub fn singular(self) -> &'static str {
        match self {
            Self::Products => "product",
            Self::Categories => "category",
            Self::Promotions => "promotion",
        }
    }
}

/// One page of a master-data sync: rows and tombstones with version > N.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The server's current master version.
    pub version: i64,
    /// Changed rows, ascending by version.
    pub items: Vec<T>,
    /// Ids deleted in the same window.
    pub deleted: Vec<String>,
    /// True when `limit` cut the page; ask again from the last item's version.
    pub has_more: bool,
}

/// Body of `POST /api/products/` and `PUT /api/products/{id}/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Id to create under; the server picks one when absent. Ignored on PUT.
    #[serde(default)]
    pub id: Option<String>,
    /// English name.
    pub name: String,
    /// Names in other languages.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub translations: Translations,
    /// Short description.
    #[serde(default)]
    pub description: String,
    /// Category id; must exist.
    pub category_id: String,
    /// Price in minor units, >= 0.
    pub price: i64,
    /// ISO 4217 code (three upper-case letters).
    pub currency: String,
    /// Picture, if any.
    #[serde(default)]
    pub image_url: Option<String>,
    /// Defaults to true.
    #[serde(default = "default_true")]
    pub is_active: bool,
    /// Kitchen station.
    pub station: String,
}

/// Body of `POST /api/categories/` and `PUT /api/categories/{id}/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// Id to create under; the server picks one when absent. Ignored on PUT.
    #[serde(default)]
    pub id: Option<String>,
    /// English name.
    pub name: String,
    /// Names in other languages.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub translations: Translations,
    /// Position on the rail.
    #[serde(default)]
    pub sort_order: i32,
}

/// Body of `POST /api/promotions/` and `PUT /api/promotions/{id}/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromotionInput {
    /// Id to create under; the server picks one when absent. Ignored on PUT.
    #[serde(default)]
    pub id: Option<String>,
    /// English name.
    pub name: String,
    /// Names in other languages.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub translations: Translations,
    /// Products it applies to.
    pub product_ids: Vec<String>,
    /// Percent or amount off.
    pub kind: PromotionKind,
    /// Percent (0..=100) or minor units (>= 0).
    pub value: i64,
    /// Start (inclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: Timestamp,
    /// End (exclusive); after `starts_at`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ends_at: Timestamp,
}

fn default_true() -> bool {
    true
}
