// Ticketrail service worker shim.
//
// A service worker must add its event listeners synchronously while this
// script first runs, but wasm loads asynchronously. So this classic script
// only loads the Rust worker (crates/worker, wasm-bindgen `no-modules` build
// that Trunk writes as /ticketrail-worker.js + /ticketrail-worker_bg.wasm),
// registers the listeners at top level, and forwards each event to Rust.
// All decisions live in Rust; nothing here knows about caches or routes.
'use strict';

// Replaced with a hash of the build by www/stamp-sw.sh (a Trunk post_build
// hook). Any new build changes these bytes, which is how the browser notices
// an update; the version also names the worker's cache.
const BUILD_VERSION = '__TICKETRAIL_BUILD__';

// The build in the query keeps one build's files apart from another's in
// the HTTP cache and in Cache Storage.
const WORKER_WASM = '/ticketrail-worker_bg.wasm?v=' + BUILD_VERSION;
importScripts('/ticketrail-worker.js?v=' + BUILD_VERSION);

// The worker's own fetches bypass its fetch handler, so when the browser
// restarts it while the server is down, the wasm must come from the copy the
// Rust side precached under WORKER_WASM.
let started = false;
const ready = caches
  .match(WORKER_WASM)
  .then((cached) => wasm_bindgen({ module_or_path: cached || fetch(WORKER_WASM) }))
  .then(() => {
    wasm_bindgen.configure(BUILD_VERSION, WORKER_WASM);
    started = true;
  });

self.addEventListener('install', (event) => {
  event.waitUntil(ready.then(() => wasm_bindgen.on_install(event)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(ready.then(() => wasm_bindgen.on_activate(event)));
});

self.addEventListener('message', (event) => {
  event.waitUntil(ready.then(() => wasm_bindgen.on_message(event)));
});

// Background Sync, where the browser has it: the pages register the tag
// "ticketrail-outbox" whenever they queue a write.
self.addEventListener('sync', (event) => {
  event.waitUntil(ready.then(() => wasm_bindgen.on_sync()));
});

// A worker (re)started by the browser sends whatever is queued, whichever
// event woke it.
ready.then(() => wasm_bindgen.on_sync()).catch(() => undefined);

self.addEventListener('fetch', (event) => {
  if (started) {
    // Rust answers with a promise of a response, or undefined for "not mine".
    const response = wasm_bindgen.on_fetch(event);
    if (response) {
      event.respondWith(response);
    }
    return;
  }
  // respondWith must be called now or never, before Rust can be asked; if
  // Rust (or the wasm itself) cannot answer, the network does, as it would
  // without a worker.
  event.respondWith(
    ready
      .then(() => wasm_bindgen.on_fetch(event), () => undefined)
      .then((response) => response || fetch(event.request)),
  );
});
