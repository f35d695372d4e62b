//! The route table of the app listener. A route gets in only with its
//! OpenAPI operation: [`Routes::route`] takes what [`utoipa_axum::routes!`]
//! makes of handlers that carry `#[utoipa::path]`, whose method and path
//! are then both what axum routes and what the document says. So nothing is
//! served that [`crate::openapi`] does not describe, and [`Routes::served`]
//! lists what is.
//!
//! A path under `/api/` or `/ws/` is also served with its trailing slash
//! added or dropped ([`twin`]): the contract spells some paths with one
//! (`/api/products/`) and some without (`/api/orders/{id}/status`), and
//! clients send both. The document names each route once, as the contract
//! spells it.

use axum::Router;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;

/// One method on one path, as the router serves it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Route {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path as axum matches it, parameters in braces (`/api/orders/{id}/status`).
    pub path: String,
}

/// Routes and their operations, built up module by module.
#[derive(Default)]
pub struct Routes {
    router: OpenApiRouter<AppState>,
    served: Vec<Route>,
}

impl Routes {
    /// Adds the handlers of one path, each with its operation; see the
    /// module docs for the path's [`twin`].
    pub fn route(self, handlers: UtoipaMethodRouter<AppState>) -> Routes {
        let (schemas, mut paths, method_router) = handlers;
        let mut router = self.router;
        let mut served = self.served;
        for (path, item) in &mut paths.paths {
            let twin = twin(path);
            for (method, _) in operations(item) {
                served.extend(
                    std::iter::once(path.clone())
                        .chain(twin.clone())
                        .map(|path| Route { method, path }),
                );
            }
            if let Some(twin) = twin {
                router = router.route(&twin, method_router.clone());
            }
        }
        Routes {
            router: router.routes((schemas, paths, method_router)),
            served,
        }
    }

    /// Both tables in one.
    pub fn merge(self, other: Routes) -> Routes {
        let mut served = self.served;
        served.extend(other.served);
        Routes {
            router: self.router.merge(other.router),
            served,
        }
    }

    /// Every method and path the router serves, twins included, sorted.
    pub fn served(&self) -> Vec<Route> {
        let mut served = self.served.clone();
        served.sort();
        served
    }

    /// The axum router.
    pub fn into_router(self) -> Router<AppState> {
        self.router.split_for_parts().0
    }

    /// The operations and the schemas they use, without the document's
    /// info and security schemes (see [`crate::openapi::document`]).
    pub fn into_document(self) -> OpenApi {
        self.router.into_openapi()
    }
}

/// The other spelling of `path` that is served too: with the trailing
/// slash dropped or added, for paths under `/api/` and `/ws/`.
pub fn twin(path: &str) -> Option<String> {
    if !(path.starts_with("/api/") || path.starts_with("/ws/")) {
        return None;
    }
    Some(match path.strip_suffix('/') {
        Some(bare) => bare.to_owned(),
        None => format!("{path}/"),
    })
}

/// The operations of `item`, each with its method.
pub fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("GET", &mut item.get),
        ("PUT", &mut item.put),
        ("POST", &mut item.post),
        ("DELETE", &mut item.delete),
        ("OPTIONS", &mut item.options),
        ("HEAD", &mut item.head),
        ("PATCH", &mut item.patch),
        ("TRACE", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_and_socket_paths_are_served_with_and_without_the_slash() {
        assert_eq!(twin("/api/products/").as_deref(), Some("/api/products"));
        assert_eq!(
            twin("/api/orders/{id}/status").as_deref(),
            Some("/api/orders/{id}/status/")
        );
        assert_eq!(
            twin("/ws/outlet/{outlet_id}/").as_deref(),
            Some("/ws/outlet/{outlet_id}")
        );
        assert_eq!(twin("/healthz"), None);
        assert_eq!(twin("/ca.pem"), None);
    }
}
