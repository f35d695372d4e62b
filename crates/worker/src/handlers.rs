//! The browser side of each event: Cache Storage, `fetch` and clients,
//! driven by the pure decisions in [`crate::shell`] and [`crate::routing`].

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{
    Cache, ExtendableMessageEvent, MessagePort, Request, RequestCache, RequestInit, RequestMode,
    Response, ServiceWorkerGlobalScope, Url,
};

use crate::routing::{self, RequestFacts, Strategy};
use crate::shell::{self, INDEX_URL};
use crate::Config;

fn scope() -> ServiceWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn error(message: String) -> JsValue {
    JsValue::from_str(&message)
}

async fn open_cache(name: &str) -> Result<Cache, JsValue> {
    let caches = scope().caches()?;
    JsFuture::from(caches.open(name)).await?.dyn_into()
}

async fn fetch(request: &Request) -> Result<Response, JsValue> {
    JsFuture::from(scope().fetch_with_request(request))
        .await?
        .dyn_into()
}

/// A request that bypasses the HTTP cache, so the precache holds exactly
/// what the server has now rather than a stale copy of an unhashed file.
fn fresh_request(url: &str) -> Result<Request, JsValue> {
    let init = RequestInit::new();
    init.set_cache(RequestCache::Reload);
    Request::new_with_str_and_init(url, &init)
}

/// Fills this build's cache with `index.html`, everything it links, and the
/// worker's own wasm, then asks to activate without waiting for old pages
/// to close: a kiosk never closes its page, so it would never update.
pub async fn install(config: &Config) -> Result<(), JsValue> {
    let cache = open_cache(&config.cache_name).await?;
    let index = fetch(&fresh_request(INDEX_URL)?).await?;
    if !index.ok() {
        return Err(error(format!("{INDEX_URL} answered {}", index.status())));
    }
    let html = JsFuture::from(index.clone()?.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    JsFuture::from(cache.put_with_str(INDEX_URL, &index)).await?;

    let mut urls = shell::shell_assets(&html);
    if !urls.contains(&config.worker_wasm_url) {
        urls.push(config.worker_wasm_url.clone());
    }
    let requests = Array::new();
    for url in &urls {
        requests.push(&fresh_request(url)?.into());
    }
    // addAll is all-or-nothing: a half-filled shell cache never activates.
    JsFuture::from(cache.add_all_with_request_sequence(&requests)).await?;
    JsFuture::from(scope().skip_waiting()?).await?;
    Ok(())
}

/// Drops the shell caches of other builds and takes control of pages that
/// loaded before this worker existed, so they work offline from now on.
pub async fn activate(config: &Config) -> Result<(), JsValue> {
    let caches = scope().caches()?;
    let names: Array = JsFuture::from(caches.keys()).await?.dyn_into()?;
    for name in names.iter().filter_map(|name| name.as_string()) {
        if shell::is_stale_cache(&name, &config.cache_name) {
            JsFuture::from(caches.delete(&name)).await?;
        }
    }
    JsFuture::from(scope().clients().claim()).await?;
    Ok(())
}

/// Routes one request; `None` leaves it to the browser.
pub fn respond(config: &Config, request: Request) -> Option<Promise> {
    let url = Url::new(&request.url()).ok()?;
    let path = url.pathname();
    let facts = RequestFacts {
        method: &request.method(),
        is_navigation: request.mode() == RequestMode::Navigate,
        same_origin: url.origin() == scope().location().origin(),
        path: &path,
    };
    let cache_name = config.cache_name.clone();
    match routing::strategy(facts) {
        Strategy::Passthrough => None,
        Strategy::NetworkFirstShell => Some(future_to_promise(async move {
            network_first_shell(&cache_name, &request).await
        })),
        Strategy::CacheFirst => Some(future_to_promise(async move {
            cache_first(&cache_name, &request, &path).await
        })),
    }
}

async fn network_first_shell(cache_name: &str, request: &Request) -> Result<JsValue, JsValue> {
    let network = scope().fetch_with_request(request);
    let deadline = Promise::new(&mut |resolve, _reject| {
        // Without a timer the race below still settles with the network;
        // the deadline only shortens a hang.
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            routing::NAVIGATION_TIMEOUT_MS,
        );
    });
    let first = JsFuture::from(Promise::race(&Array::of2(&network, &deadline))).await;
    if let Ok(answer) = &first {
        if answer.is_instance_of::<Response>() {
            return Ok(answer.clone());
        }
    }
    // The server refused, or has not answered in time: the cached shell,
    // which says it is offline, beats a blank screen. Without one, keep
    // waiting for whatever the network gives.
    let cache = open_cache(cache_name).await?;
    let cached = JsFuture::from(cache.match_with_str(INDEX_URL)).await?;
    if cached.is_undefined() {
        JsFuture::from(network).await
    } else {
        Ok(cached)
    }
}

async fn cache_first(cache_name: &str, request: &Request, path: &str) -> Result<JsValue, JsValue> {
    let cache = open_cache(cache_name).await?;
    let cached = JsFuture::from(cache.match_with_request(request)).await?;
    if !cached.is_undefined() {
        return Ok(cached);
    }
    let response = fetch(request).await?;
    // Only content-hashed files are kept: their bytes can never go stale.
    if response.ok() && shell::is_fingerprinted(path) {
        JsFuture::from(cache.put_with_request(request, &response.clone()?)).await?;
    }
    Ok(response.into())
}

/// The `type` of a page's message, if it has one.
pub fn message_type(event: &ExtendableMessageEvent) -> Option<String> {
    // Reflect.get throws on a non-object (a bare string, null): no type then.
    Reflect::get(&event.data(), &JsValue::from_str("type"))
        .ok()
        .and_then(|kind| kind.as_string())
}

/// Answers a page's `{type: "version"}`: the reply `{type, build, cache}`
/// goes to the port the page sent along. Other messages are logged.
pub fn message(config: &Config, event: &ExtendableMessageEvent) -> Result<(), JsValue> {
    if message_type(event).as_deref() != Some("version") {
        web_sys::console::warn_2(
            &JsValue::from_str("ticketrail-worker: ignoring message"),
            &event.data(),
        );
        return Ok(());
    }
    let Ok(port) = event.ports().get(0).dyn_into::<MessagePort>() else {
        return Err(error(
            "a version request needs a MessagePort to answer on".into(),
        ));
    };
    let reply = Object::new();
    Reflect::set(
        &reply,
        &JsValue::from_str("type"),
        &JsValue::from_str("version"),
    )?;
    Reflect::set(
        &reply,
        &JsValue::from_str("build"),
        &JsValue::from_str(&config.build_version),
    )?;
    Reflect::set(
        &reply,
        &JsValue::from_str("cache"),
        &JsValue::from_str(&config.cache_name),
    )?;
    port.post_message(&reply)
}
