//! Exports wasi-libc's `malloc` and `free` from the `.wasm` (Rust's std
//! allocates through them on wasm32-wasip1). With them exported, WAMR
//! copies each record into the module's own heap instead of its small app
//! heap, so records larger than about 64 KiB still arrive.

fn main() {
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch == "wasm32" {
        println!("cargo:rustc-cdylib-link-arg=--export=malloc");
        println!("cargo:rustc-cdylib-link-arg=--export=free");
    }
}
