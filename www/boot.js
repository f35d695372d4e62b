// Ticketrail page loader: starts the Leptos app (crates/app).
//
// Trunk would write an inline <script type="module"> for this; the server's
// Content-Security-Policy allows no inline script (crates/server/src/headers.rs),
// so the loader is this file instead. Trunk.toml's `pattern_script` writes the
// tag that loads it, with the hashed names of this build's wasm-bindgen glue
// and wasm in its data attributes; www/index.html copies the file into dist.
const tag = document.querySelector('script[data-app-js][data-app-wasm]');
const { default: init } = await import(tag.dataset.appJs);
const wasm = await init({ module_or_path: tag.dataset.appWasm });

// The event Trunk's own loader fires; the browser benchmarks listen for it.
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
