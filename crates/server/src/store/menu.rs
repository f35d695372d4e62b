//! The writer's in-memory copy of what orders are priced from: live
//! products by id and live promotions. Loaded once at open and updated from
//! each committed master write, so placing an order never reloads the menu.

use std::collections::BTreeMap;

use ticketrail_protocol::{MasterKind, Product, Promotion};

use super::master::{MasterOutcome, MasterRow};

/// Live products and promotions.
#[derive(Debug, Clone, Default)]
pub(super) struct Menu {
    /// Live products (active or not) by id.
    pub(super) products: BTreeMap<String, Product>,
    /// Live promotions, running or not.
    pub(super) promotions: Vec<Promotion>,
}

impl Menu {
    /// A menu holding `products` and `promotions`.
    pub(super) fn new(products: Vec<Product>, promotions: Vec<Promotion>) -> Self {
        Self {
            products: products.into_iter().map(|p| (p.id.clone(), p)).collect(),
            promotions,
        }
    }

    /// Applies one master write (categories do not affect prices).
    pub(super) fn apply(&mut self, outcome: &MasterOutcome) {
        match outcome {
            MasterOutcome::Created(row) | MasterOutcome::Updated(row) => match row {
                MasterRow::Product(product) => {
                    self.products.insert(product.id.clone(), product.clone());
                }
                MasterRow::Promotion(promotion) => {
                    self.promotions.retain(|p| p.id != promotion.id);
                    self.promotions.push(promotion.clone());
                }
                MasterRow::Category(_) => {}
            },
            MasterOutcome::Deleted { kind, id, .. } => match kind {
                MasterKind::Products => {
                    self.products.remove(id);
                }
                MasterKind::Promotions => self.promotions.retain(|p| &p.id != id),
                MasterKind::Categories => {}
            },
        }
    }
}
